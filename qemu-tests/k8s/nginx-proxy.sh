#!/bin/sh
# nginx-proxy: what RKE's nginx-proxy does (rke-tools), for the test image
# paddock-test/nginx-proxy: a TCP proxy from LISTEN (default
# 127.0.0.1:6443, where the plan's worker kubeconfigs dial) to port 6443 of
# every address of CP_HOSTS (comma-separated), nginx in the foreground.
# `nginx-proxy --config-only` writes the configuration and exits.
set -eu
: "${CP_HOSTS:?CP_HOSTS is not set}"
LISTEN=${LISTEN:-127.0.0.1:6443}
conf=/etc/nginx/nginx.conf
{
	echo 'load_module /usr/lib/nginx/modules/ngx_stream_module.so;'
	echo 'error_log stderr notice;'
	echo 'pid /run/nginx.pid;'
	echo 'worker_processes 1;'
	echo 'events { worker_connections 1024; }'
	echo 'stream {'
	echo '    upstream kube_apiserver {'
	for h in $(echo "$CP_HOSTS" | tr ',' ' '); do
		echo "        server $h:6443;"
	done
	echo '    }'
	echo '    server {'
	echo "        listen $LISTEN;"
	echo '        proxy_pass kube_apiserver;'
	echo '        proxy_timeout 10m;'
	echo '        proxy_connect_timeout 2s;'
	echo '    }'
	echo '}'
} >"$conf.tmp"
mv "$conf.tmp" "$conf"
[ "${1:-}" = --config-only ] && exit 0
exec nginx -g 'daemon off;'
