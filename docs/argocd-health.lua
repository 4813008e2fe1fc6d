-- Argo CD custom health check for mailroute.io MailRoute and MailRelay (kstatus-style conditions).
-- Healthy: Ready=True for the current generation. Degraded: Ready=False with a reason that needs a change.
-- Progressing: anything else (not yet observed, pending DNS or configuration, pods starting).
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  hs.message = "The operator has not observed the latest generation yet"
  return hs
end
local progressing = {Pending = true, ConfigPending = true, NoReadyPods = true, RelayNotReady = true,
                     NotResolvedYet = true, MxLookupTempFail = true, HostLookupTempFail = true}
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    if condition.status == "True" then
      hs.status = "Healthy"
    elseif progressing[condition.reason] then
      hs.status = "Progressing"
    else
      hs.status = "Degraded"
    end
    hs.message = (condition.reason or "") .. ": " .. (condition.message or "")
    return hs
  end
end
return hs
