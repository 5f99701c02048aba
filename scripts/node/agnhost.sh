#!/bin/sh
# /agnhost in Skiff's test image: the subcommands of upstream's agnhost test image that Skiff's tests
# use, in busybox sh (the image has no registry to come from, so it is built here from busybox-static).
#
#   pause                         sleep until SIGTERM, then exit 0
#   serve-hostname [--port=9376]  HTTP: the pod's hostname
#   netexec [--http-port=8080]    HTTP: / and /hostname (hostname), /echo?msg=M (M, and "GET /echo?msg=M"
#                                 on stdout), /shell?cmd=C (C's output), /healthz, /exit?code=N
#   liveness                      HTTP 8080: /healthz 200 for 10 s after start, then 500
#   test-webserver [--port=80]    HTTP: "Hello World"
#   entrypoint-tester ARGS...     prints its argv as [arg0 arg1 ...]
#   mounttest --file_content=P | --file_mode=P | --file_perm=P
set -u

arg() { # arg NAME DEFAULT ARGS... → the value of --NAME=V or --NAME V
  name=$1 default=$2
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
    "--$name="*) echo "${1#*=}" && return ;;
    "--$name") echo "$2" && return ;;
    esac
    shift
  done
  echo "$default"
}

serve() { # serve PORT MODE: one handler process per connection
  exec nc -ll -p "$1" -e /agnhost http-handler "$2"
}

respond() { # respond STATUS BODY
  printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$(printf '%s' "$2" | wc -c)" "$2"
}

query() { # query NAME QUERYSTRING → the decoded value
  value=$(printf '%s' "$2" | tr '&' '\n' | sed -n "s/^$1=//p" | head -n1)
  httpd -d "$value"
}

case ${1:-} in
pause)
  trap 'exit 0' TERM INT
  while :; do sleep 3600 & wait $!; done
  ;;
serve-hostname)
  serve "$(arg port 9376 "$@")" hostname
  ;;
netexec)
  serve "$(arg http-port 8080 "$@")" netexec
  ;;
liveness)
  date +%s >/tmp/.liveness-started
  serve 8080 liveness
  ;;
test-webserver)
  serve "$(arg port 80 "$@")" webserver
  ;;
entrypoint-tester)
  printf '[%s' "$0"
  for word in "$@"; do printf ' %s' "$word"; done
  printf ']\n'
  ;;
mounttest)
  shift
  for option in "$@"; do
    case $option in
    --file_content=*) echo "content of file \"${option#*=}\": $(cat "${option#*=}")" ;;
    --file_mode=*) echo "mode of file \"${option#*=}\": $(stat -c %A "${option#*=}")" ;;
    --file_perm=*) echo "perms of file \"${option#*=}\": $(stat -c %A "${option#*=}")" ;;
    esac
  done
  ;;
http-handler)
  mode=$2
  read -r method target _ || exit 0
  while read -r header && [ "$(printf '%s' "$header" | tr -d '\r')" != '' ]; do :; done
  path=${target%%\?*}
  params=''
  case $target in *\?*) params=${target#*\?} ;; esac
  case $mode in
  hostname) respond '200 OK' "$(hostname)" ;;
  webserver) respond '200 OK' 'Hello World' ;;
  liveness)
    started=$(cat /tmp/.liveness-started)
    if [ $(($(date +%s) - started)) -lt 10 ]; then respond '200 OK' 'ok'; else respond '500 Internal Server Error' 'error'; fi
    ;;
  netexec)
    echo "$method $target" >/proc/1/fd/1
    case $path in
    / | /hostname) respond '200 OK' "$(hostname)" ;;
    /echo) respond '200 OK' "$(query msg "$params")" ;;
    /shell) respond '200 OK' "$(sh -c "$(query cmd "$params")" 2>&1)" ;;
    /healthz) respond '200 OK' 'ok' ;;
    /exit)
      respond '200 OK' ''
      kill -TERM 1
      ;;
    *) respond '404 Not Found' 'not found' ;;
    esac
    ;;
  esac
  ;;
*)
  echo "usage: agnhost pause|serve-hostname|netexec|liveness|test-webserver|entrypoint-tester|mounttest" >&2
  exit 2
  ;;
esac
