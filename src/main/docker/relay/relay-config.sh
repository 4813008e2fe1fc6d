#!/usr/bin/env bash
# shellcheck disable=SC2034,SC2153  # variables are shared with relay-lib.sh and the scripts that source this
# Staging, validation and installation of the mounted relay configuration; sourced by entrypoint.sh after
# relay-lib.sh. Functions return non-zero and set RELAY_ERROR (one line) when the configuration is refused.

RELAY_STAGE_DIR="$RELAY_STATE_DIR/stage"
RELAY_CANDIDATE_DIR="$RELAY_STATE_DIR/candidate"
# the staged hash-key of the SASL Secret; outside the stage directory, so it is never copied into a Postfix config
RELAY_STAGE_KEY="$RELAY_STATE_DIR/stage-hash-key"
# the digest of the last main.cf settings ("postconf -n") + master.cf that passed "postfix check" (relay_validate)
RELAY_CHECKED_FILE="$RELAY_STATE_DIR/checked"
# "postconf -n" of the candidate (relay_validate)
RELAY_CANDIDATE_SETTINGS="$RELAY_STATE_DIR/candidate-settings"
# the main.cf (instance settings applied) of the last candidate that passed every check, and what it was made from
# (RELAY_VALIDATED_INPUTS: digests of the rendered main.cf, the candidate master.cf and the overrides file, and the
# drain flag); kept in this process only, so a restarted container checks everything again (relay_validate)
RELAY_VALIDATED_MAIN_CF="$RELAY_STATE_DIR/validated-main.cf"
RELAY_VALIDATED_INPUTS=""

# relay_fingerprint: change detector over everything mounted (reads through the ..data symlinks), for mounts
# without kubelet's ..data (relay_generation).
relay_fingerprint() {
  local f
  {
    for f in main.cf transport tls_policy master_services config-hash; do
      printf '%s\0' "$f"
      cat "$RELAY_CONFIG_MOUNT/$f" 2>/dev/null || printf '\1missing'
    done
    # a large configuration: manifests and parts from the shard ConfigMaps (see relay_stage_file)
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

# relay_generation: a cheap name for the version of the mounted files: the targets of the kubelet's ..data symlinks
# (every update writes a new directory and swaps the link; a directory is never changed in place), or, as soon as
# a mount is not laid out that way, the content fingerprint. install_mounted compares it with the last one seen (has
# anything changed?) and before and after staging (did it change while the files were copied?). A new ..data with
# the same content costs one staging and hashing, after which the hash equals the live one and nothing else runs.
relay_generation() {
  local d out=""
  for d in "$RELAY_CONFIG_MOUNT" "$RELAY_SASL_MOUNT"; do
    if [ -L "$d/..data" ]; then
      out+="$(readlink "$d/..data")/"
    elif [ -e "$d" ]; then
      relay_fingerprint
      return
    fi
  done
  printf '%s\n' "$out"
}

# relay_stage: copies the mounted files into RELAY_STAGE_DIR (a missing Secret gives an empty sasl_passwd) and the
# Secret's hash-key to RELAY_STAGE_KEY, and sets RELAY_EXPECTED_HASH from the optional config-hash key.
relay_stage() {
  local f
  rm -rf "$RELAY_STAGE_DIR" && mkdir -p "$RELAY_STAGE_DIR"
  RELAY_PARTS_MISSING=""
  for f in main.cf transport tls_policy; do
    relay_stage_file "$f" || return 1
  done
  # optional: only a configuration with route transports has it
  if [ -f "$RELAY_CONFIG_MOUNT/master_services" ]; then
    cat "$RELAY_CONFIG_MOUNT/master_services" > "$RELAY_STAGE_DIR/master_services"
  else
    : > "$RELAY_STAGE_DIR/master_services"
  fi
  (
    umask 077
    if [ -f "$RELAY_SASL_MOUNT/sasl_passwd" ]; then
      cat "$RELAY_SASL_MOUNT/sasl_passwd" > "$RELAY_STAGE_DIR/sasl_passwd"
    else
      : > "$RELAY_STAGE_DIR/sasl_passwd"
    fi
    if [ -f "$RELAY_SASL_MOUNT/hash-key" ]; then
      cat "$RELAY_SASL_MOUNT/hash-key" > "$RELAY_STAGE_KEY"
    else
      : > "$RELAY_STAGE_KEY"
    fi
  )
  if [ -s "$RELAY_STAGE_DIR/sasl_passwd" ] && [ ! -s "$RELAY_STAGE_KEY" ]; then
    RELAY_ERROR="$RELAY_SASL_MOUNT/sasl_passwd has credentials but $RELAY_SASL_MOUNT/hash-key is missing or empty"
    return 1
  fi
  RELAY_EXPECTED_HASH=""
  if [ -f "$RELAY_CONFIG_MOUNT/config-hash" ]; then
    RELAY_EXPECTED_HASH="$(tr -d ' \t\r\n' < "$RELAY_CONFIG_MOUNT/config-hash")"
  fi
  if [ -n "$RELAY_PARTS_MISSING" ] && [ -z "$RELAY_EXPECTED_HASH" ]; then
    RELAY_ERROR="$RELAY_PARTS_MISSING, and there is no config-hash to wait for"
    return 1
  fi
}

# relay_stage_file NAME: stages one file: the mounted file itself, or, for a large configuration, the parts its
# manifest NAME.parts lists (one "KEY SHARD SHA256" line per part, in order; the operator's RelayConfigLayout),
# concatenated. The shard ConfigMaps are written before the main one and the kubelet updates them one by one, so a
# part may be missing or newer than the manifest for a moment: then RELAY_PARTS_MISSING is set and the whole simply
# does not match config-hash (state "waiting", the live configuration stays) until all are in step.
relay_stage_file() {
  local f="$1" key shard sum rest i
  local keys=() sums=() parts=() actual=()
  if [ -f "$RELAY_CONFIG_MOUNT/$f" ]; then
    cat "$RELAY_CONFIG_MOUNT/$f" > "$RELAY_STAGE_DIR/$f"
    return 0
  fi
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
  : > "$RELAY_STAGE_DIR/$f"
  [ ${#parts[@]} -eq 0 ] || cat -- "${parts[@]}" > "$RELAY_STAGE_DIR/$f"
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
relay_backdate() { touch -d "@$(($(date +%s) - 10))" "$@"; }

# relay_validate: builds RELAY_CANDIDATE_DIR from the staged files and checks it like Postfix would use it.
relay_validate() {
  local cand="$RELAY_CANDIDATE_DIR" out map
  rm -rf "$cand" && mkdir -p "$cand"
  # master_services may only declare smtp(8) clients exactly as PostfixRenderer writes them (TransportSettings):
  # whoever can write the ConfigMap must not be able to add any other service (a pipe(8) service runs commands).
  if ! out="$(relay_foreign_services "$RELAY_STAGE_DIR/master_services")"; then
    RELAY_ERROR="master_services may only declare route transports (mrXXXXXXXXXXXX unix - - n - - smtp with the operator's -o options), not: ${out//$'\n'/ | }"
    return 1
  fi
  cp -p "$RELAY_STAGE_DIR"/* "$cand/"
  # the image's services, then the routes' own delivery transports
  cat "$RELAY_MASTER_BASE" "$RELAY_STAGE_DIR/master_services" > "$cand/master.cf"
  relay_backdate "$cand"/*
  # The checks of main.cf and master.cf (postconf, postfix check) read those two files only, and the instance
  # settings come from the overrides file and the drain flag: when all of these equal what the last candidate that
  # passed every check was made from, the results are the same, so its main.cf is taken as it is and only the maps
  # are checked (a route change touches only the maps). Anything else runs every check.
  local inputs
  inputs="$(sha256sum -- "$RELAY_STAGE_DIR/main.cf" "$cand/master.cf" ${RELAY_MAIN_CF_OVERRIDES:+"$RELAY_MAIN_CF_OVERRIDES"} 2>&1)" \
    || inputs=""
  [ ! -f "$RELAY_DRAIN_FLAG" ] || inputs+=" draining"
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
  check_digest="$(cat "$RELAY_CANDIDATE_SETTINGS" "$cand/master.cf" | sha256sum | cut -d' ' -f1)"
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

# relay_validate_maps DIR: builds and checks DIR's maps with DIR's main.cf (relay_validate).
relay_validate_maps() {
  local cand="$1" map out
  for map in "${RELAY_MAPS[@]}"; do
    # A map whose source is the live one's was checked and built when it went live: take its .lmdb as it is.
    if cmp -s "$cand/$map" "$RELAY_CONFIG_DIR/$map" && [ -f "$RELAY_CONFIG_DIR/$map.lmdb" ] \
        && cp -p "$RELAY_CONFIG_DIR/$map.lmdb" "$cand/$map.lmdb"; then
      continue
    fi
    # -c: postmap must read the candidate's main.cf (lmdb settings, no host /etc/postfix/main.cf needed).
    if ! out="$(postmap -c "$cand" "lmdb:$cand/$map" 2>&1)" || [ -n "$out" ]; then
      RELAY_ERROR="$map: ${out//$'\n'/ }"
      return 1
    fi
  done
  chmod 600 "$cand/sasl_passwd" "$cand/sasl_passwd.lmdb"
}

# relay_foreign_services FILE: prints the lines of FILE that are not a route transport as the operator renders
# them and fails when there is any (at most 3 lines are printed).
relay_foreign_services() {
  local foreign
  foreign="$(grep -Ev '^(#.*|mr[0-9a-f]{12} unix - - n - - smtp|  -o syslog_name=postfix/mr[0-9a-f]{12}|  -o smtp_tls_wrappermode=yes|  -o smtp_tls_security_level=encrypt|)$' "$1" | head -n 3)"
  [ -z "$foreign" ] || { printf '%s' "$foreign"; return 1; }
}

# relay_install: puts the validated candidate into RELAY_CONFIG_DIR in two phases. First every file that differs
# from the live one is copied next to its target under a temporary name and checked: cp must succeed, the data must
# reach the disk (sync reports late write errors) and the copy must equal the candidate. Only when all copies are
# complete is each one moved over its target with an atomic rename, maps first, main.cf last. Why: Postfix daemons
# reopen a changed .lmdb map on their own, without a reload, so a truncated map that was renamed into place (a full
# configuration volume lets cp stop half-way) would be live at once. On failure nothing was renamed, the temporary
# files are removed, RELAY_ERROR says why and the last good configuration stays live. Files equal to the live ones
# are left alone (a route change rewrites the transport map and its .lmdb, nothing else).
relay_install() {
  local map f out
  local files=() changed=() copies=()
  for map in "${RELAY_MAPS[@]}"; do files+=("$map.lmdb" "$map"); done
  # master.cf is read only by "postfix reload" (after this), main.cf last as before
  files+=(master.cf main.cf)
  for f in "${files[@]}"; do
    cmp -s "$RELAY_CANDIDATE_DIR/$f" "$RELAY_CONFIG_DIR/$f" || changed+=("$f")
  done
  [ ${#changed[@]} -gt 0 ] || return 0
  for f in "${changed[@]}"; do
    if ! out="$(cp -p "$RELAY_CANDIDATE_DIR/$f" "$RELAY_CONFIG_DIR/.$f.new" 2>&1)"; then
      RELAY_ERROR="cannot copy $f into $RELAY_CONFIG_DIR: ${out//$'\n'/ }"
      relay_discard_copies "${changed[@]}"
      return 1
    fi
    copies+=("$RELAY_CONFIG_DIR/.$f.new")
  done
  if ! out="$(sync --data "${copies[@]}" 2>&1)"; then
    RELAY_ERROR="cannot copy ${changed[*]} into $RELAY_CONFIG_DIR: ${out//$'\n'/ }"
    relay_discard_copies "${changed[@]}"
    return 1
  fi
  for f in "${changed[@]}"; do
    if ! cmp -s "$RELAY_CANDIDATE_DIR/$f" "$RELAY_CONFIG_DIR/.$f.new"; then
      RELAY_ERROR="the copy of $f in $RELAY_CONFIG_DIR differs from the validated file"
      relay_discard_copies "${changed[@]}"
      return 1
    fi
  done
  for f in "${changed[@]}"; do
    # rename(2) in one directory needs no space; should it still fail, say exactly what is live.
    if ! out="$(mv -f "$RELAY_CONFIG_DIR/.$f.new" "$RELAY_CONFIG_DIR/$f" 2>&1)"; then
      RELAY_ERROR="installed only partly, $f and later files were not replaced: ${out//$'\n'/ }"
      relay_discard_copies "${changed[@]}"
      # A map's source and its .lmdb may now be out of step: Postfix reads only the .lmdb, and without the sources
      # relay_validate cannot take a live .lmdb for a new candidate's, so the next install builds every map.
      for map in "${RELAY_MAPS[@]}"; do rm -f "$RELAY_CONFIG_DIR/$map"; done
      return 1
    fi
  done
}

# relay_discard_copies FILE...: removes the temporary copies relay_install left behind.
relay_discard_copies() {
  local f
  for f in "$@"; do rm -f "$RELAY_CONFIG_DIR/.$f.new"; done
}
