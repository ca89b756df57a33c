#!/bin/sh
# paddock-test/httpd's command: a page naming this host (the pod), served
# by busybox httpd in the foreground on PORT (default 8080); -v logs each
# request's peer to stderr ("10.42.11.5:40312: response:200"), which
# test_k8s.sh reads with kubectl logs to see pods reach pods without NAT.
set -e
echo "paddock-test httpd on $(hostname)" >/www/index.html
exec httpd -f -v -p "${PORT:-8080}" -h /www
