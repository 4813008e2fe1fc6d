#!/usr/bin/env bash
# shellcheck disable=SC2034,SC2153  # variables are shared with relay-lib.sh and the scripts that source this
# Staging, validation and installation of the mounted relay configuration; sourced by entrypoint.sh after
# relay-lib.sh. Functions return non-zero and set RELAY_ERROR (one line) when the configuration is refused.

# The mounted files are staged straight into the candidate directory, where they are hashed, validated and from
# where relay_install takes them.
RELAY_CANDIDATE_DIR="$RELAY_STATE_DIR/candidate"
# the staged hash-key of the SASL Secret; outside the candidate directory, so it is never copied into a Postfix config
RELAY_STAGE_KEY="$RELAY_STATE_DIR/stage-hash-key"
# the digest of the last main.cf settings ("postconf -n") + master.cf that passed "postfix check" (relay_validate)
RELAY_CHECKED_FILE="$RELAY_STATE_DIR/checked"
# "postconf -n" of the candidate (relay_validate)
RELAY_CANDIDATE_SETTINGS="$RELAY_STATE_DIR/candidate-settings"
# the main.cf (instance settings applied) of the last candidate that passed every check, and what it was made from
# (RELAY_VALIDATED_INPUTS: digests of the rendered main.cf, master_services and the overrides file, and the drain
# flag); kept in this process only, so a restarted container checks everything again (relay_validate)
RELAY_VALIDATED_MAIN_CF="$RELAY_STATE_DIR/validated-main.cf"
RELAY_VALIDATED_INPUTS=""
# the mounts relay_generation looks at
RELAY_MOUNTS=("$RELAY_CONFIG_MOUNT" "$RELAY_SASL_MOUNT")
# the umask the scripts started with (staging sets 077 for the Secret's files and restores it)
RELAY_UMASK="$(umask)"
# a route transport line of master_services, exactly as PostfixRenderer writes it (TransportSettings)
RELAY_SERVICE_LINE='^(#.*|mr[0-9a-f]{12} unix - - n - - smtp|  -o syslog_name=postfix/mr[0-9a-f]{12}|  -o smtp_tls_wrappermode=yes|  -o smtp_tls_security_level=encrypt|)$'

# relay_fingerprint: change detector over everything mounted (reads through the ..data symlinks), for mounts
# without kubelet's ..data (relay_generation).
relay_fingerprint() {
  local f
  {
    for f in main.cf transport tls_policy master_services config-hash; do
      printf '%s\0' "$f"
      cat "$RELAY_CONFIG_MOUNT/$f" 2>/dev/null || printf '\1missing'
    done
    # a large configuration: manifests and parts from the shard ConfigMaps (see relay_stage_parts)
    for f in "$RELAY_CONFIG_MOUNT"/*.parts "$RELAY_CONFIG_MOUNT"/*.part-[0-9][0-9][0-9]; do
      [ -f "$f" ] || continue
      printf '%s\0' "${f##*/}"
      cat "$f" 2>/dev/null || printf '\1missing'
    done
    for f in sasl_passwd hash-key; do
      printf '%s\0' "$f"
      cat "$RELAY_SASL_MOUNT/$f" 2>/dev/null || printf '\1missing'
    done
  } | sha256sum | cut -d' ' -f1
}

# relay_generation: sets RELAY_GENERATION, a cheap name for the version of the mounted files: the targets of the
# kubelet's ..data symlinks (every update writes a new directory and swaps the link; a directory is never changed in
# place), or, as soon as a mount is not laid out that way, the content fingerprint. install_mounted compares it with
# the last one taken (has anything changed?), and relay_still_generation checks before and after staging that it did
# not change while the files were copied. A new ..data with the same content costs one staging and hashing, after
# which the hash equals the live one and nothing else runs.
RELAY_GENERATION="" RELAY_GEN_LINKS=() RELAY_GEN_TARGETS=()
relay_generation() {
  local d out
  RELAY_GEN_LINKS=() RELAY_GEN_TARGETS=()
  for d in "${RELAY_MOUNTS[@]}"; do
    if [ -L "$d/..data" ]; then
      RELAY_GEN_LINKS+=("$d/..data")
    elif [ -e "$d" ]; then
      RELAY_GEN_LINKS=()
      RELAY_GENERATION="content $(relay_fingerprint)"
      return
    fi
  done
  # one readlink for all links (a missing link gives an empty target: then nothing matches it later)
  if [ ${#RELAY_GEN_LINKS[@]} -gt 0 ]; then
    out="$(readlink -- "${RELAY_GEN_LINKS[@]}")"
    mapfile -t RELAY_GEN_TARGETS <<< "$out"
  fi
  RELAY_GENERATION="links ${RELAY_GEN_LINKS[*]} -> ${RELAY_GEN_TARGETS[*]}"
}

# relay_still_generation: true when the mounted files are still at the version relay_generation last named. For
# kubelet-style mounts no command runs: every mount must still be laid out the same way and each ..data must still
# resolve to the directory it named (-ef compares device and inode; the kubelet deletes the old directory after
# the swap). Other mounts are fingerprinted again, which leaves the new version's name in RELAY_GENERATION.
relay_still_generation() {
  local d i=0 target
  case "$RELAY_GENERATION" in
    content*)
      local was="$RELAY_GENERATION"
      relay_generation
      [ "$RELAY_GENERATION" = "$was" ]
      return ;;
  esac
  for d in "${RELAY_MOUNTS[@]}"; do
    if [ -L "$d/..data" ]; then
      [ "$d/..data" = "${RELAY_GEN_LINKS[i]:-}" ] || return 1
      target="${RELAY_GEN_TARGETS[i]:-}"
      [ -n "$target" ] || return 1
      case "$target" in /*) ;; *) target="$d/$target" ;; esac
      [ "$d/..data" -ef "$target" ] || return 1
      i=$((i + 1))
    elif [ -e "$d" ]; then
      return 1
    fi
  done
  [ "$i" -eq ${#RELAY_GEN_LINKS[@]} ]
}

# relay_stage: copies the mounted files into RELAY_CANDIDATE_DIR (a missing Secret gives an empty sasl_passwd) and
# the Secret's hash-key to RELAY_STAGE_KEY, and sets RELAY_EXPECTED_HASH from the optional config-hash key. One cp
# takes all plain files of the ConfigMap (their modes are not kept, as in a fresh file; the Secret's files are made
# under umask 077).
relay_stage() {
  local cand="$RELAY_CANDIDATE_DIR" f out copies=() text
  if ! out="$(rm -rf -- "$cand" 2>&1 && mkdir -p -- "$cand" 2>&1)"; then
    RELAY_ERROR="cannot make $cand: ${out//$'\n'/ }"
    return 1
  fi
  RELAY_PARTS_MISSING=""
  for f in main.cf transport tls_policy master_services; do
    if [ -f "$RELAY_CONFIG_MOUNT/$f" ]; then
      copies+=("$RELAY_CONFIG_MOUNT/$f")
    elif [ "$f" = master_services ]; then
      # optional: only a configuration with route transports has it
      : > "$cand/$f"
    else
      relay_stage_parts "$f" || return 1
    fi
  done
  if [ ${#copies[@]} -gt 0 ] && ! out="$(cp --no-preserve=mode -- "${copies[@]}" "$cand/" 2>&1)"; then
    RELAY_ERROR="cannot stage the mounted files: ${out//$'\n'/ }"
    return 1
  fi
  umask 077
  : > "$cand/sasl_passwd"
  : > "$RELAY_STAGE_KEY"
  out=""
  [ ! -f "$RELAY_SASL_MOUNT/sasl_passwd" ] \
    || out+="$(cp --no-preserve=mode -- "$RELAY_SASL_MOUNT/sasl_passwd" "$cand/sasl_passwd" 2>&1)"
  [ ! -f "$RELAY_SASL_MOUNT/hash-key" ] \
    || out+="$(cp --no-preserve=mode -- "$RELAY_SASL_MOUNT/hash-key" "$RELAY_STAGE_KEY" 2>&1)"
  umask "$RELAY_UMASK"
  if [ -n "$out" ]; then
    RELAY_ERROR="cannot stage the Secret's files: ${out//$'\n'/ }"
    return 1
  fi
  if [ -s "$cand/sasl_passwd" ] && [ ! -s "$RELAY_STAGE_KEY" ]; then
    RELAY_ERROR="$RELAY_SASL_MOUNT/sasl_passwd has credentials but $RELAY_SASL_MOUNT/hash-key is missing or empty"
    return 1
  fi
  RELAY_EXPECTED_HASH=""
  if [ -f "$RELAY_CONFIG_MOUNT/config-hash" ]; then
    text=""
    IFS= read -r -d '' text < "$RELAY_CONFIG_MOUNT/config-hash"
    RELAY_EXPECTED_HASH="${text//[$' \t\r\n']/}"
  fi
  if [ -n "$RELAY_PARTS_MISSING" ] && [ -z "$RELAY_EXPECTED_HASH" ]; then
    RELAY_ERROR="$RELAY_PARTS_MISSING, and there is no config-hash to wait for"
    return 1
  fi
}

# relay_stage_parts NAME: stages a file of a large configuration: the parts its manifest NAME.parts lists (one
# "KEY SHARD SHA256" line per part, in order; the operator's RelayConfigLayout), concatenated. The shard ConfigMaps
# are written before the main one and the kubelet updates them one by one, so a part may be missing or newer than the
# manifest for a moment: then RELAY_PARTS_MISSING is set and the whole simply does not match config-hash (state
# "waiting", the live configuration stays) until all are in step.
relay_stage_parts() {
  local f="$1" key shard sum rest i
  local keys=() sums=() parts=() actual=()
  if [ "$f" = main.cf ] || [ ! -f "$RELAY_CONFIG_MOUNT/$f.parts" ]; then
    RELAY_ERROR="$RELAY_CONFIG_MOUNT/$f is missing"
    return 1
  fi
  while read -r key shard sum rest; do
    [ -n "$key" ] || continue
    # only keys of this file's own form: a manifest cannot make the relay read any other path
    if [[ ! "$key" =~ ^${f}\.part-[0-9]{3}$ ]] || [ -n "$rest" ]; then
      RELAY_ERROR="$RELAY_CONFIG_MOUNT/$f.parts has a malformed line"
      return 1
    fi
    keys+=("$key") sums+=("$sum")
  done < "$RELAY_CONFIG_MOUNT/$f.parts"
  # every part's digest with one sha256sum (a missing part gives no line: its digest stays empty)
  if [ ${#keys[@]} -gt 0 ]; then
    while read -r sum key; do
      actual+=("${key##*/}=$sum")
    done < <(cd "$RELAY_CONFIG_MOUNT" && sha256sum -- "${keys[@]}" 2>/dev/null)
  fi
  for i in "${!keys[@]}"; do
    if [ ! -f "$RELAY_CONFIG_MOUNT/${keys[i]}" ] || [[ " ${actual[*]} " != *" ${keys[i]}=${sums[i]} "* ]]; then
      RELAY_PARTS_MISSING="part ${keys[i]} of $f is missing or not yet the one the manifest names"
      continue
    fi
    parts+=("$RELAY_CONFIG_MOUNT/${keys[i]}")
  done
  : > "$RELAY_CANDIDATE_DIR/$f"
  [ ${#parts[@]} -eq 0 ] || cat -- "${parts[@]}" > "$RELAY_CANDIDATE_DIR/$f"
}

# relay_apply_overrides DIR: instance settings on top of the rendered main.cf (paths, log, drain state, the
# optional RELAY_MAIN_CF_OVERRIDES file).
relay_apply_overrides() {
  local dir="$1" prefixes="/dev/stdout" line out
  local settings=()
  case "$RELAY_MAILLOG" in /dev/stdout) ;; *) prefixes="$prefixes $(dirname "$RELAY_MAILLOG")" ;; esac
  settings+=("queue_directory = $RELAY_QUEUE_DIR" "data_directory = $RELAY_DATA_DIR")
  settings+=("maillog_file = $RELAY_MAILLOG" "maillog_file_prefixes = $prefixes")
  [ ! -f "$RELAY_DRAIN_FLAG" ] || settings+=("master_service_disable = inet")
  if [ -n "$RELAY_MAIN_CF_OVERRIDES" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in '' | '#'*) continue ;; esac
      settings+=("$line")
    done < "$RELAY_MAIN_CF_OVERRIDES"
  fi
  out="$(postconf -c "$dir" -e "${settings[@]}" 2>&1)" || { RELAY_ERROR="overrides: ${out//$'\n'/ }"; return 1; }
  relay_backdate "$dir/main.cf"
}

# relay_backdate FILE...: Postfix waits until a configuration file is over a second old before it trusts a
# read (it might still be being written); these files are complete, so date them back and skip the wait.
relay_backdate() { touch -d "@$((EPOCHSECONDS - 10))" "$@"; }

# relay_hash_candidate: the public hash of the staged candidate (RELAY_HASH) and, in the same pass, the digests
# relay_validate compares (RELAY_DIGEST): the rendered main.cf, master_services, the overrides file, and the public
# maps of the candidate and of the live configuration. sasl_passwd is compared byte by byte instead (relay_same_map).
relay_hash_candidate() {
  local cand="$RELAY_CANDIDATE_DIR" map extras=("$RELAY_CANDIDATE_DIR/main.cf" "$RELAY_CANDIDATE_DIR/master_services")
  [ -z "$RELAY_MAIN_CF_OVERRIDES" ] || extras+=("$RELAY_MAIN_CF_OVERRIDES")
  for map in "${RELAY_MAPS[@]}"; do
    [ "$map" != sasl_passwd ] || continue
    extras+=("$cand/$map" "$RELAY_CONFIG_DIR/$map")
  done
  relay_hash_files "$cand" "$RELAY_STAGE_KEY" "${extras[@]}"
}

# relay_validate: completes RELAY_CANDIDATE_DIR (staged and hashed by relay_hash_candidate) and checks it like
# Postfix would use it.
relay_validate() {
  local cand="$RELAY_CANDIDATE_DIR" out services=() line foreign=""
  # master_services may only declare smtp(8) clients exactly as PostfixRenderer writes them (TransportSettings):
  # whoever can write the ConfigMap must not be able to add any other service (a pipe(8) service runs commands).
  # master.cf is written from the lines checked here, so Postfix reads exactly what passed.
  mapfile -t services < "$cand/master_services"
  for line in "${services[@]}"; do
    [[ "$line" =~ $RELAY_SERVICE_LINE ]] && continue
    foreign+="${foreign:+ | }$line"
    [[ "$foreign" != *" | "*" | "* ]] || break
  done
  if [ -n "$foreign" ]; then
    RELAY_ERROR="master_services may only declare route transports (mrXXXXXXXXXXXX unix - - n - - smtp with the operator's -o options), not: $foreign"
    return 1
  fi
  # the image's services, then the routes' own delivery transports
  { printf '%s' "$RELAY_MASTER_BASE_TEXT"; [ ${#services[@]} -eq 0 ] || printf '%s\n' "${services[@]}"; } > "$cand/master.cf"
  relay_backdate "$cand"/*
  # The checks of main.cf and master.cf (postconf, postfix check) read those two files only, and the instance
  # settings come from the overrides file and the drain flag: when all of these equal what the last candidate that
  # passed every check was made from, the results are the same, so its main.cf is taken as it is and only the maps
  # are checked (a route change touches only the maps). Anything else runs every check.
  local inputs="${RELAY_DIGEST[$cand/main.cf]:-} ${RELAY_DIGEST[$cand/master_services]:-}"
  if [ -n "$RELAY_MAIN_CF_OVERRIDES" ]; then
    inputs+=" ${RELAY_DIGEST[$RELAY_MAIN_CF_OVERRIDES]:-none}"
    [ -n "${RELAY_DIGEST[$RELAY_MAIN_CF_OVERRIDES]:-}" ] || inputs=""
  fi
  [ -n "${RELAY_DIGEST[$cand/main.cf]:-}" ] && [ -n "${RELAY_DIGEST[$cand/master_services]:-}" ] || inputs=""
  [ -z "$inputs" ] || [ ! -f "$RELAY_DRAIN_FLAG" ] || inputs+=" draining"
  if [ -n "$inputs" ] && [ "$inputs" = "$RELAY_VALIDATED_INPUTS" ] && [ -f "$RELAY_VALIDATED_MAIN_CF" ] \
      && cp -p "$RELAY_VALIDATED_MAIN_CF" "$cand/main.cf"; then
    relay_validate_maps "$cand"
    return
  fi
  RELAY_VALIDATED_INPUTS=""
  out="$(postconf -c "$cand" -M 2>&1 >/dev/null)"
  if [ -n "$out" ]; then RELAY_ERROR="master.cf: ${out//$'\n'/ }"; return 1; fi
  out="$(postconf -c "$cand" -n 2>&1 >/dev/null)"
  if [ -n "$out" ]; then RELAY_ERROR="main.cf: ${out//$'\n'/ }"; return 1; fi
  relay_apply_overrides "$cand" || return 1
  out="$(postconf -c "$cand" -n 2>&1 >"$RELAY_CANDIDATE_SETTINGS")"
  if [ -n "$out" ]; then RELAY_ERROR="main.cf with overrides: ${out//$'\n'/ }"; return 1; fi
  # "postfix check" reads the main.cf settings and master.cf (and the queue directory), never the maps: settings and
  # services that passed it before pass again, so it runs only for ones it has not accepted yet (a route change
  # touches neither), and then at the same time as postmap. The settings are taken as "postconf -n" lists them
  # (sorted): postconf -e does not keep the order of the lines it edits.
  local checked="" check_pid="" check_digest
  check_digest="$(cat "$RELAY_CANDIDATE_SETTINGS" "$cand/master.cf" | sha256sum)"
  check_digest="${check_digest%% *}"
  [ ! -f "$RELAY_CHECKED_FILE" ] || checked="$(< "$RELAY_CHECKED_FILE")"
  if [ "$check_digest" != "$checked" ]; then
    postfix -c "$cand" check &
    check_pid=$!
  fi
  if ! relay_validate_maps "$cand"; then
    [ -z "$check_pid" ] || wait "$check_pid"
    return 1
  fi
  if [ -n "$check_pid" ]; then
    if ! wait "$check_pid"; then
      RELAY_ERROR="postfix check failed (details in the Postfix log, $RELAY_MAILLOG)"
      return 1
    fi
    echo "$check_digest" > "$RELAY_CHECKED_FILE"
  fi
  # every check passed: a next candidate made from the same main.cf, master.cf and settings may skip them
  if [ -n "$inputs" ] && cp -p "$cand/main.cf" "$RELAY_VALIDATED_MAIN_CF"; then
    RELAY_VALIDATED_INPUTS="$inputs"
  fi
}

# relay_same_map MAP: true when the candidate's source of MAP equals the live one's: by the digests of
# relay_hash_candidate, and for sasl_passwd, which enters no digest without a key, by cmp (or both empty).
relay_same_map() {
  local map="$1" cand="$RELAY_CANDIDATE_DIR/$1" live="$RELAY_CONFIG_DIR/$1"
  [ -f "$live" ] || return 1
  if [ "$map" = sasl_passwd ]; then
    { [ ! -s "$cand" ] && [ ! -s "$live" ]; } || cmp -s -- "$cand" "$live"
    return
  fi
  [ -n "${RELAY_DIGEST[$cand]:-}" ] && [ "${RELAY_DIGEST[$cand]}" = "${RELAY_DIGEST[$live]:-}" ]
}

# relay_validate_maps DIR: builds and checks DIR's maps with DIR's main.cf (relay_validate).
relay_validate_maps() {
  local cand="$1" map out reuse=() built=""
  for map in "${RELAY_MAPS[@]}"; do
    # A map whose source is the live one's was checked and built when it went live: take its .lmdb as it is.
    if relay_same_map "$map" && [ -f "$RELAY_CONFIG_DIR/$map.lmdb" ]; then
      reuse+=("$RELAY_CONFIG_DIR/$map.lmdb")
      continue
    fi
    # -c: postmap must read the candidate's main.cf (lmdb settings, no host /etc/postfix/main.cf needed).
    if ! out="$(postmap -c "$cand" "lmdb:$cand/$map" 2>&1)" || [ -n "$out" ]; then
      RELAY_ERROR="$map: ${out//$'\n'/ }"
      return 1
    fi
    built+=" $map"
  done
  if [ ${#reuse[@]} -gt 0 ] && ! out="$(cp -p -- "${reuse[@]}" "$cand/" 2>&1)"; then
    RELAY_ERROR="cannot copy the live maps: ${out//$'\n'/ }"
    return 1
  fi
  # the Secret's map: staged under umask 077; a live .lmdb taken over keeps its mode, a new one is made private here
  [[ "$built" != *" sasl_passwd"* ]] || chmod 600 "$cand/sasl_passwd" "$cand/sasl_passwd.lmdb"
}

# relay_install: puts the validated candidate into RELAY_CONFIG_DIR with relay-install.pl (see there): every file
# that differs from the live one is copied under a temporary name, written to the disk and checked, and only then
# renamed into place, maps first, main.cf last; files equal to the live ones are left alone (a route change replaces
# the transport map and its .lmdb, nothing else). Sets RELAY_INSTALLED to the files replaced. On failure nothing was
# renamed, RELAY_ERROR says why and the last good configuration stays live.
relay_install() {
  local map out status files=()
  RELAY_INSTALLED=""
  for map in "${RELAY_MAPS[@]}"; do files+=("$map.lmdb" "$map"); done
  # master.cf is read only by the reload (after this), main.cf last as before
  files+=(master.cf main.cf)
  out="$(perl "$RELAY_LIB_DIR/relay-install.pl" "$RELAY_CANDIDATE_DIR" "$RELAY_CONFIG_DIR" "${files[@]}")"
  status=$?
  if [ "$status" -eq 0 ]; then
    RELAY_INSTALLED=" ${out//$'\n'/ } "
    return 0
  fi
  RELAY_ERROR="${out##*$'\n'}"
  [ -n "$RELAY_ERROR" ] || RELAY_ERROR="relay-install.pl exited with status $status"
  if [ "$status" -eq 2 ]; then
    # A map's source and its .lmdb may now be out of step: Postfix reads only the .lmdb, and without the sources
    # relay_validate cannot take a live .lmdb for a new candidate's, so the next install builds every map.
    for map in "${RELAY_MAPS[@]}"; do rm -f -- "$RELAY_CONFIG_DIR/$map"; done
  fi
  return 1
}

# relay_reload: what "postfix reload" does (postfix-script): "postsuper active", SIGHUP to the master, then a
# "postsuper" of the whole queue in the background. Without the wrapper's start-up (a postfix, a sh, three postconf,
# master -t and postlog: 90 ms on an idle machine, over 200 ms on a busy one), as the entrypoint knows its instance
# and that the master runs. The master logs "reload -- version ..." as with "postfix reload".
relay_reload() {
  local master=""
  relay_master_pid master || return 1
  postsuper -c "$RELAY_CONFIG_DIR" active || return 1
  kill -HUP "$master" || return 1
  postsuper -c "$RELAY_CONFIG_DIR" &
}
