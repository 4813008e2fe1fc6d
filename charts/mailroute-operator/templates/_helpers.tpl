{{- define "mailroute.name" -}}mailroute-operator{{- end -}}
{{- define "mailroute.fullname" -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}-mailroute-operator{{- end -}}
{{- define "mailroute.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "mailroute.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}
{{- define "mailroute.labels" -}}
app.kubernetes.io/name: {{ include "mailroute.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "mailroute.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mailroute.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{/* The rules the operator needs on watched namespaces (used by the ClusterRole or each Role). */}}
{{- define "mailroute.rules" -}}
- apiGroups: [mailroute.io]
  resources: [mailrelays, mailroutes]
  verbs: [get, list, watch, patch, update]
- apiGroups: [mailroute.io]
  resources: [mailrelays/status, mailroutes/status]
  verbs: [get, patch, update]
# The relay's own ConfigMap, Service and StatefulSet: the operator never deletes them itself (Kubernetes garbage
# collection does, through their owner reference), so no delete; it never takes over one it did not create.
- apiGroups: [""]
  resources: [configmaps, services]
  verbs: [get, list, watch, create, update, patch]
# Secrets: read one by one by name, never listed or watched (RBAC cannot narrow list/watch to a label, so those
# verbs would expose every Secret): route credentials with get; the relay's <relay>-sasl Secret is read back by name,
# created, updated and deleted (when no route needs credentials any more). See docs/security.md.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, create, update, delete]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, list, watch, create, update, patch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
# Scale-down: the queue volume a removed relay pod leaves behind is found among the claims and drained by a Job the
# operator creates (<relay>-drain-<n>) and deletes only when that ordinal is back (docs/relay.md).
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, delete]
{{- end -}}
