# The requests compare.sh sends to both servers, one `req` per line:
#   req NAME METHOD PATH [curl arguments…]
# $BODIES holds generated bodies: x100 … x1048577 ('x' repeated), bin2m.
# Sourced by compare.sh; bash syntax.

J=(-H 'Content-Type: application/json')
T=(-H 'Content-Type: text/plain')
F=(-H 'Content-Type: application/x-www-form-urlencoded')
CH=(-H 'Transfer-Encoding: chunked')

# echo: body parsing
req echo-json-object   POST '/api/echo?x=1' "${J[@]}" --data-binary '{"a":1,"b":[true,null,"x"],"c":{"d":"é<&>"}}'
req echo-json-order    POST '/api/echo' "${J[@]}" --data-binary '{"b":1,"a":2}'
req echo-json-42       POST '/api/echo' "${J[@]}" --data-binary '42'
req echo-json-null     POST '/api/echo' "${J[@]}" --data-binary ' null '
req echo-json-string   POST '/api/echo' -H 'Content-Type: application/ld+json' --data-binary '"s"'
req echo-json-array    PUT  '/api/echo' -H 'Content-Type: application/json; charset=utf-8' --data-binary '[1,"a"]'
req echo-json-true     POST '/api/echo' "${J[@]}" --data-binary 'true'
req echo-json-empty    POST '/api/echo' "${J[@]}" --data-binary ''
req echo-json-bom      POST '/api/echo' "${J[@]}" --data-binary $'\xef\xbb\xbf{"bom":1}'
req echo-json-invalid  POST '/api/echo' "${J[@]}" --data-binary '{"a":'
req echo-json-spaces   POST '/api/echo' "${J[@]}" --data-binary '  '
req echo-json-badparam POST '/api/echo' -H 'Content-Type: application/json; charset' --data-binary '{"a":1}'
req echo-form          POST '/api/echo' "${F[@]}" --data-binary 'a=1&a=2&b=x+y&c&d=%ZZ'
req echo-text          POST '/api/echo' "${T[@]}" --data-binary $'hello\nworld'
req echo-none          GET  '/api/echo'
req echo-get-json      GET  '/api/echo' "${J[@]}" --data-binary '{"q":1}'
req echo-query-cookies GET  '/api/echo?a=1&a=2&b=&c=x+y' -H 'Cookie: k=v; n=%F0%9F%98%80'
req echo-latin1        POST '/api/echo' -H 'Content-Type: text/plain; charset=latin1' --data-binary $'caf\xe9'
req echo-bad-utf8      POST '/api/echo' "${T[@]}" --data-binary $'a\xffb'
req echo-bad-charset   POST '/api/echo' -H 'Content-Type: text/plain; charset=klingon' --data-binary 'x'
req echo-multipart     POST '/api/echo' -H 'Content-Type: multipart/form-data; boundary=XyZ' \
	--data-binary $'--XyZ\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--XyZ--\r\n'

# size limits, with Content-Length and chunked
for spec in small:100 limit-1kb:1024 limit-decimal:1536 echo:1048576; do
	route=${spec%%:*} n=${spec#*:}
	for m in $n $((n + 1)); do
		req "$route-$m"         POST "/api/$route" "${T[@]}" --data-binary "@$BODIES/x$m"
		req "$route-$m-chunked" POST "/api/$route" "${T[@]}" "${CH[@]}" --data-binary "@$BODIES/x$m"
	done
done
req limit-1kb-utf8 POST '/api/limit-1kb' "${T[@]}" --data-binary "@$BODIES/e513"

# raw
req raw-2mib         POST '/api/raw' "${J[@]}" --data-binary "@$BODIES/bin2m"
req raw-2mib-chunked POST '/api/raw' "${CH[@]}" --data-binary "@$BODIES/bin2m"
req raw-none         GET  '/api/raw'

# status
for code in 201 '%20201%20' 0xC9 2.01e2 201.9 999 '200&code=201' 204 abc '' 42 1000 Infinity; do
	req "status-$code" GET "/api/status?code=$code"
done
req status-absent GET '/api/status'

# send
for kind in string object array buffer null undefined number boolean json-undefined json-null json-string \
	empty html buffer-ct stream status-204 status-304 unicode nope 'string&kind=object'; do
	req "send-$kind" GET "/api/send?kind=$kind"
done
req send-absent  GET '/api/send'
req send-inm     GET '/api/send?kind=string' -H 'If-None-Match: W/"2caikvdqo85"'
req send-inm-ims GET '/api/send?kind=string' -H 'If-None-Match: "2caikvdqo85"' -H 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT'
req send-inm-post POST '/api/send?kind=string' -H 'If-None-Match: "2caikvdqo85"'
req send-head    HEAD '/api/send?kind=string'

# redirect
for q in mode=absolute mode=absolute-301 mode=string-status mode=no-url mode=non-ascii '' 'to=/somewhere%3Fa%3D1' \
	status=302 status=0x12D 'status=308&to=/y' status=200 status=299 status=abc status=42 status=1000; do
	req "redirect-$q" GET "/api/redirect?$q"
done

# big: the response-size warning
for q in 'big?n=4194303' 'big?n=4194304' 'big?n=4194303&mode=write' 'big?n=4194304&mode=write' \
	'big-nolimit?n=4194304' 'big-nolimit?n=9000000&mode=write' 'big-8mb?n=8388607' 'big-8mb?n=8388608' \
	'big-8mb?n=8388608&mode=write' 'big?n=-1' 'big'; do
	req "$q" GET "/api/$q"
done

# unresolved responses: Next leaves them hanging (curl times out)
req noresponse GET '/api/noresponse?x=1' --max-time 3
req external   GET '/api/external' --max-time 3

# errors
req throw       GET '/api/throw'
req throw-async GET '/api/throw-async'

# routes
for p in post/create 'post/create?pid=1' post/abc 'post/abc?pid=x&q=1' 'post/5?pid=1&pid=2' post/a%2Fb post/a/b \
	'post/a/b%2Fc/d?slug=z' post opt 'opt?slug=q' 'opt?slug=a&slug=b' opt/a 'opt/a/b?slug=q' \
	'post/abc/?q=1' /echo nope echo.json ech%6F; do
	req "route-$p" GET "/api/$p" --path-as-is
done
req route-post-opt-slash POST '/api/opt/'
req route-upper-case     GET  '/API/echo'

# cookies
req cookies-none  GET '/api/cookies'
req cookies-dup   GET '/api/cookies' -H 'Cookie: a=1; a=2'
req cookies-odd   GET '/api/cookies' -H 'Cookie: foo; =bar; baz=qux; ;; k=v=w'
req cookies-enc   GET '/api/cookies' -H 'Cookie: c=x%3By'
req cookies-quote GET '/api/cookies' -H 'Cookie: q="quoted"; u="unterminated; z=%zz; p=a+b'
req cookies-two   GET '/api/cookies' -H 'Cookie: a=1' -H 'Cookie: a=3; b=2'

req returns-value GET '/api/returns-value'

# route handler
for m in GET POST HEAD OPTIONS PUT DELETE; do
	req "handler-$m" "$m" '/api/handler'
done
