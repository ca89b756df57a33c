#!/bin/sh
# paddock-test/httpd's command: a page naming this host (the pod), served
# by busybox httpd in the foreground on PORT (default 8080).
set -e
echo "paddock-test httpd on $(hostname)" >/www/index.html
exec httpd -f -p "${PORT:-8080}" -h /www
