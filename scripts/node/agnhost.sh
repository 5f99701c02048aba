#!/bin/sh
# /agnhost in Skiff's test image: the subcommands of upstream's agnhost test image
# (kubernetes/test/images/agnhost) that Skiff's tests use, in busybox sh. The image has no registry to come
# from, so it is built here from busybox-static. Outputs follow upstream's, so tests written against the
# real agnhost read the same lines; Go's `log` lines ("2006/01/02 15:04:05 msg") go to stderr as there.
#
#   pause                           prints "Paused"; SIGTERM exits 2, SIGINT exits 1 (as upstream)
#   serve-hostname [--port=9376]    HTTP: the pod's hostname
#   netexec [--http-port=8080]      HTTP: / ("NOW: <time>"), /hostname, /echo?msg=M[&code=C], /clientip,
#                                   /shell?cmd=C (JSON), /dial?host=H&port=P&request=R[&tries=N] (HTTP
#                                   only, JSON), /healthz, /exit?code=N, /shutdown. No UDP or SCTP server.
#   liveness                        HTTP 8080: /healthz 200 "ok" for 10 s after start, then 500; /started
#   test-webserver [--port=80]      HTTP: the file named by the path, from /
#   porter                          HTTP: on every port P of an env SERVE_PORT_P=V, answers V
#   entrypoint-tester ARGS...       prints its argv as "[arg0 arg1 ...]"
#   mounttest --fs_type= --new_file_0644= (0666, 0660, 0777) --file_mode= --file_perm= --file_owner=
#             --file_content= --file_content_in_loop= [--retry_time=180] [--break_on_expected_content]
#   dns-suffix, dns-server-list, etc-hosts   what /etc/resolv.conf and /etc/hosts say
#
# A server's stop signal (TERM/INT) ends it at once: a test pod never waits out its grace period.
set -u

flag() { # flag NAME DEFAULT ARGS... → the value of --NAME=V or --NAME V
  name=$1 default=$2
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
    "--$name=" | "-$name=") echo "" && return ;;
    "--$name="* | "-$name="*) echo "${1#*=}" && return ;;
    "--$name" | "-$name") echo "${2:-}" && return ;;
    esac
    shift
  done
  echo "$default"
}

log() { # Go's log.Printf format, to stderr
  echo "$(date '+%Y/%m/%d %H:%M:%S') $*" >&2
}

serve() { # serve PORT MODE: an HTTP server answering each connection with `/agnhost http-handler MODE`
  # nc -ll forks one handler per connection, with the socket as its stdin and stdout (and stderr): the
  # handler logs through fd 3, this process' stderr. AGNHOST_PID lets /exit reach this process.
  AGNHOST_PID=$$
  AGNHOST_STARTED=$(date +%s)
  export AGNHOST_PID AGNHOST_STARTED
  nc -ll -p "$1" -e /agnhost http-handler "$2" 3>&2 &
  server=$!
  trap 'kill $server 2>/dev/null; exit 2' TERM
  trap 'kill $server 2>/dev/null; exit 1' INT
  # /exit?code=N: the handler leaves N in a file (when /tmp is writable) and sends USR1.
  trap 'kill $server 2>/dev/null; exit "$(cat "/tmp/.agnhost-exit-$$" 2>/dev/null || echo 0)"' USR1
  wait "$server"
  # nc ended by itself (the port was taken, …): as upstream's log.Fatal
  exit 1
}

status_line() { # the status line Go writes for CODE
  case $1 in
  200) echo '200 OK' ;;
  201) echo '201 Created' ;;
  204) echo '204 No Content' ;;
  301) echo '301 Moved Permanently' ;;
  302) echo '302 Found' ;;
  307) echo '307 Temporary Redirect' ;;
  400) echo '400 Bad Request' ;;
  403) echo '403 Forbidden' ;;
  404) echo '404 Not Found' ;;
  412) echo '412 Precondition Failed' ;;
  417) echo '417 Expectation Failed' ;;
  500) echo '500 Internal Server Error' ;;
  503) echo '503 Service Unavailable' ;;
  *) echo "$1 status code $1" ;;
  esac
}

respond() { # respond CODE BODY [EXTRA_HEADER_LINES]
  printf 'HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %s\r\n%sConnection: close\r\n\r\n%s' \
    "$(status_line "$1")" "$(printf '%s' "$2" | wc -c)" "${3:-}" "$2"
}

query() { # query NAME QUERYSTRING → the first value of NAME, URL-decoded
  value=$(printf '%s' "$2" | tr '&' '\n' | sed -n "s/^$1=//p" | head -n1 | tr '+' ' ')
  httpd -d "$value"
}

json_string() { # json_string TEXT → TEXT as a JSON string, escaped as Go's encoding/json does
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' \
    -e 's/</\\u003c/g' -e 's/>/\\u003e/g' -e 's/&/\\u0026/g' | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g' |
    { IFS= read -r line || true; printf '"%s' "$line"; }
  case $1 in *"
") printf '\\n' ;; esac
  printf '"'
}

client_ip() { # the peer of the connection on stdin, as Go's RemoteAddr (ip:port), from /proc/net/tcp
  inode=$(readlink /proc/self/fd/0 | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
  [ -n "$inode" ] || return 0
  for table in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$table" ] && awk -v inode="$inode" '$10 == inode { print $3 }' "$table"
  done | head -n1 | {
    IFS=: read -r address port || exit 0
    port=$(printf '%d' "0x$port")
    case ${#address} in
    8) # IPv4, little-endian
      printf '%d.%d.%d.%d:%s' "0x${address#??????}" "0x$(echo "$address" | cut -c5-6)" \
        "0x$(echo "$address" | cut -c3-4)" "0x$(echo "$address" | cut -c1-2)" "$port"
      ;;
    32) # IPv4-mapped IPv6 (0000000000000000FFFF0000XXXXXXXX) or IPv6
      if [ "$(echo "$address" | cut -c1-24)" = 0000000000000000FFFF0000 ]; then
        last=$(echo "$address" | cut -c25-32)
        printf '%d.%d.%d.%d:%s' "0x$(echo "$last" | cut -c7-8)" "0x$(echo "$last" | cut -c5-6)" \
          "0x$(echo "$last" | cut -c3-4)" "0x$(echo "$last" | cut -c1-2)" "$port"
      else
        printf '[%s]:%s' "$address" "$port"
      fi
      ;;
    esac
  }
}

go_mode() { # go_mode PATH → the mode as Go's os.FileMode prints it, e.g. "-rw-r--r--", "dtrwxrwxrwx"
  bits=$((0x$(stat -L -c %f "$1")))
  kind=''
  case $((bits & 0170000)) in
  16384) kind=d ;;     # directory
  8192) kind=Dc ;;     # character device
  24576) kind=D ;;     # block device
  4096) kind=p ;;      # fifo
  49152) kind=S ;;     # socket
  esac
  [ $((bits & 04000)) -ne 0 ] && kind="${kind}u"
  [ $((bits & 02000)) -ne 0 ] && kind="${kind}g"
  # Go orders the letters "dalTLDpSugct": c comes after u and g.
  case $kind in *c*) kind="$(echo "$kind" | tr -d c)c" ;; esac
  [ $((bits & 01000)) -ne 0 ] && kind="${kind}t"
  printf '%s%s\n' "${kind:--}" "$(go_perm "$bits")"
}

go_perm() { # go_perm BITS → rwxrwxrwx with - for the unset ones
  out=''
  for bit in 256 128 64 32 16 8 4 2 1; do
    if [ $(($1 & bit)) -ne 0 ]; then
      case $bit in 256 | 32 | 4) out="${out}r" ;; 128 | 16 | 2) out="${out}w" ;; *) out="${out}x" ;; esac
    else
      out="${out}-"
    fi
  done
  printf '%s' "$out"
}

mounttest() {
  umask 0
  failed=0
  # The order is upstream's: one run can check a path's fs type, write a file in it, then read it back.
  path=$(flag fs_type '' "$@")
  if [ -n "$path" ]; then
    if type=$(stat -f -c %t "$path" 2>/dev/null); then
      echo "mount type of \"$path\": $(printf '%d' "0x$type")"
    else
      echo "error from statfs(\"$path\"): no such file or directory" && failed=1
    fi
  fi
  for perm in 0644 0666 0660 0777; do
    path=$(flag "new_file_$perm" '' "$@")
    [ -n "$path" ] || continue
    if printf 'mount-tester new file\n' >"$path" 2>/dev/null && chmod "$perm" "$path"; then
      echo "content of file \"$path\": $(cat "$path")"
    else
      echo "error writing new file \"$path\"" && failed=1
    fi
  done
  path=$(flag file_mode '' "$@")
  if [ -n "$path" ]; then
    if [ -e "$path" ]; then echo "mode of file \"$path\": $(go_mode "$path")"; else
      echo "error from Stat(\"$path\"): stat $path: no such file or directory" && failed=1
    fi
  fi
  path=$(flag file_perm '' "$@")
  if [ -n "$path" ]; then
    if [ -e "$path" ]; then echo "perms of file \"$path\": -$(go_perm $((0x$(stat -L -c %f "$path"))))"; else
      echo "error from Stat(\"$path\"): stat $path: no such file or directory" && failed=1
    fi
  fi
  path=$(flag file_owner '' "$@")
  if [ -n "$path" ]; then
    if [ -e "$path" ]; then
      echo "owner UID of \"$path\": $(stat -L -c %u "$path")"
      echo "owner GID of \"$path\": $(stat -L -c %g "$path")"
    else
      echo "error from stat(\"$path\"): no such file or directory" && failed=1
    fi
  fi
  path=$(flag file_content '' "$@")
  if [ -n "$path" ]; then
    # Go prints the content as it is, trailing newline included, then its own newline.
    if [ -r "$path" ]; then
      content=$(cat "$path"; echo x)
      printf 'content of file "%s": %s\n' "$path" "${content%x}"
    else
      echo "error reading file content for \"$path\": open $path: no such file or directory" && failed=1
    fi
  fi
  path=$(flag file_content_in_loop '' "$@")
  if [ -n "$path" ]; then
    retry=$(flag retry_time 180 "$@")
    case $(flag break_on_expected_content true "$@") in false | 0) until_expected=false ;; *) until_expected=true ;; esac
    started=$(date +%s)
    while [ $(($(date +%s) - started)) -lt "$retry" ]; do
      if [ -r "$path" ]; then
        content=$(cat "$path"; echo x)
        printf 'content of file "%s": %s\n' "$path" "${content%x}"
        if [ "$until_expected" = true ] && [ "$content" = "mount-tester new file
x" ]; then break; fi
        if [ "$until_expected" = true ]; then printf 'Unexpected content. Expected: mount-tester new file\n. Retrying'; fi
      else
        echo "Error reading file $path: open $path: no such file or directory, retrying"
      fi
      sleep 2
    done
  fi
  exit "$failed"
}

http_handler() { # http_handler MODE: answers one request on stdin/stdout
  mode=$1
  read -r method target _ || exit 0
  while IFS= read -r header; do
    case $header in '' | "$(printf '\r')") break ;; esac
  done
  path=${target%%\?*}
  params=''
  case $target in *\?*) params=${target#*\?} ;; esac
  case $mode in
  hostname)
    log "HTTP request from $(client_ip)" 2>&3
    respond 200 "$(hostname)"
    ;;
  webserver)
    file="/${path#/}"
    headers=$(printf 'Cache-Control: private\r\nAccess-Control-Allow-Origin: *\r\n')
    if [ -f "$file" ] && [ -r "$file" ]; then
      content=$(cat "$file"; echo x)
      respond 200 "${content%x}" "$headers
"
    else respond 404 '404 page not found
' "$headers
"; fi
    ;;
  porter)
    eval "answer=\${SERVE_PORT_$AGNHOST_PORT:-}"
    respond 200 "$answer"
    ;;
  liveness)
    elapsed=$(($(date +%s) - AGNHOST_STARTED))
    case $path in
    /healthz)
      if [ "$elapsed" -le 10 ]; then respond 200 'ok'; else respond 500 "error: $elapsed"; fi
      ;;
    /started) respond 200 "${elapsed}s" ;;
    *) respond 404 '404 page not found
' ;;
    esac
    ;;
  netexec) netexec_request "$path" "$params" ;;
  esac
}

netexec_request() { # netexec_request PATH QUERY
  case $1 in
  /)
    log 'GET /' 2>&3
    respond 200 "NOW: $(date '+%Y-%m-%d %H:%M:%S %z %Z')"
    ;;
  /hostname | /hostName)
    log "GET $1" 2>&3
    respond 200 "$(hostname)"
    ;;
  /clientip)
    log 'GET /clientip' 2>&3
    respond 200 "$(client_ip)"
    ;;
  /echo)
    msg=$(query msg "$2")
    code=$(query code "$2")
    log "GET /echo?msg=$msg&code=$code" 2>&3
    respond "${code:-200}" "$msg"
    ;;
  /healthz)
    log 'GET /healthz' 2>&3
    respond 200 ''
    ;;
  /shell)
    cmd=$(query shellCommand "$2")
    [ -n "$cmd" ] || cmd=$(query cmd "$2")
    log "GET /shell?cmd=$cmd" 2>&3
    output=$(sh -c "$cmd" 2>&1; echo "x$?")
    result=${output##*x}
    output=${output%x*}
    body='{'
    [ "$result" = 0 ] || body="$body\"error\":\"exit status $result\""
    if [ -n "$output" ]; then
      [ "$body" = '{' ] || body="$body,"
      body="$body\"output\":$(json_string "$output")"
    fi
    respond 200 "$body}"
    ;;
  /dial)
    host=$(query host "$2") port=$(query port "$2") request=$(query request "$2")
    protocol=$(query protocol "$2") tries=$(query tries "$2")
    log "GET /dial?host=$host&protocol=$protocol&port=$port&request=$request&tries=$tries" 2>&3
    if [ -z "$request" ]; then respond 400 'request parameter not specified. <nil>
'; return; fi
    case $protocol in '' | http) ;; *)
      respond 400 "unsupported protocol. $protocol
"
      return
      ;;
    esac
    responses='' errors=''
    i=0
    while [ "$i" -lt "${tries:-1}" ]; do
      i=$((i + 1))
      # busybox wget -T crashes (1.35): timeout(1) bounds it instead, as Go's client does at 5 s.
      if answer=$(timeout 5 wget -q -O- "http://$host:$port/$request" 2>&1); then
        responses="$responses${responses:+,}$(json_string "$answer")"
      else
        errors="$errors${errors:+,}$(json_string "Get \"http://$host:$port/$request\": $answer")"
      fi
    done
    body=''
    [ -z "$errors" ] || body="\"errors\":[$errors]"
    [ -z "$responses" ] || body="$body${body:+,}\"responses\":[$responses]"
    respond 200 "{$body}"
    ;;
  /exit | /shutdown)
    code=$(query code "$2")
    log "GET $1?code=$code" 2>&3
    echo "${code:-0}" >"/tmp/.agnhost-exit-$AGNHOST_PID" 2>/dev/null
    respond 200 ''
    kill -USR1 "$AGNHOST_PID"
    ;;
  *) respond 404 '404 page not found
' ;;
  esac
}

case ${1:-} in
pause)
  echo Paused
  trap 'exit 2' TERM
  trap 'exit 1' INT
  while :; do
    sleep 3600 &
    wait $!
  done
  ;;
serve-hostname)
  shift
  port=$(flag port 9376 "$@")
  log "Serving on port $port."
  serve "$port" hostname
  ;;
netexec)
  shift
  port=$(flag http-port 8080 "$@")
  log "Started HTTP server on port $port"
  serve "$port" netexec
  ;;
liveness)
  serve 8080 liveness
  ;;
test-webserver)
  shift
  serve "$(flag port 80 "$@")" webserver
  ;;
porter)
  # One server per SERVE_PORT_<port> variable; each answers with its variable's value.
  ports=$(env | sed -n 's/^SERVE_PORT_\([0-9]*\)=.*/\1/p')
  [ -n "$ports" ] || { log 'No ports to serve (set SERVE_PORT_<port>=<answer>)' && exit 1; }
  for port in $ports; do
    (AGNHOST_PORT=$port && export AGNHOST_PORT && serve "$port" porter) &
  done
  trap 'kill $(jobs -p) 2>/dev/null; exit 2' TERM
  wait
  ;;
entrypoint-tester)
  # Go's fmt of os.Args: "[/agnhost entrypoint-tester a b]" (arg0 is how the image was called).
  printf '[%s' "$0"
  for word in "$@"; do printf ' %s' "$word"; done
  printf ']\n'
  ;;
mounttest)
  shift
  mounttest "$@"
  ;;
dns-suffix)
  sed -n 's/^search[[:space:]]*//p' /etc/resolv.conf | tr -s ' \t' ',' | sed 's/,$//'
  ;;
dns-server-list)
  sed -n 's/^nameserver[[:space:]]*//p' /etc/resolv.conf | tr '\n' ',' | sed 's/,$//'
  echo
  ;;
etc-hosts)
  cat /etc/hosts
  ;;
http-handler)
  http_handler "$2"
  ;;
*)
  echo 'usage: agnhost pause|serve-hostname|netexec|liveness|test-webserver|porter|entrypoint-tester|mounttest|dns-suffix|dns-server-list|etc-hosts' >&2
  exit 2
  ;;
esac
