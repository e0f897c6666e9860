"""Sample lines of every log format, written for these tests from each server's documentation.

Each sample is one request: 203.0.113.7 asked for /pricing?plan=team at 2025-10-10 13:55:36 UTC
with Firefox, from https://www.google.com/, answered 200 with 5120 bytes, on host
www.northwind-software.com (where the format logs a host).
"""

AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
REFERRER = "https://www.google.com/"
HOST = "www.northwind-software.com"
EXPECTED = ("203.0.113.7", "2025-10-10 13:55:36", "GET", "/pricing", "plan=team", 200)

COMBINED = (
    f'203.0.113.7 - - [10/Oct/2025:15:55:36 +0200] "GET /pricing?plan=team HTTP/1.1" 200 5120 '
    f'"{REFERRER}" "{AGENT}"'
)
COMMON = (
    '203.0.113.7 - frank [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/1.0" 200 5120'
)
VHOST_COMBINED = (
    f'{HOST}:443 203.0.113.7 - - [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/2.0" '
    f'200 5120 "{REFERRER}" "{AGENT}"'
)
COMMON_VHOST = f'{HOST} 203.0.113.7 - - [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/1.1" 200 5120'
# nginx's default `main` format behind a load balancer at 10.0.0.5.
NGINX_MAIN = (
    f'10.0.0.5 - - [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/1.1" 200 5120 '
    f'"{REFERRER}" "{AGENT}" "198.51.100.250, 203.0.113.7"'
)
XFF_FIRST = (
    f'203.0.113.7, 10.0.0.5 - - [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/1.1" '
    f'200 5120 "{REFERRER}" "{AGENT}"'
)
IIS = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2025-10-10 13:50:00",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken",
    "2025-10-10 13:55:36 10.0.0.9 GET /pricing plan=team 443 - 203.0.113.7 "
    + AGENT.replace(" ", "+")
    + f" {REFERRER} 200 0 0 5120 46",
]
CLOUDFRONT = [
    "#Version: 1.0",
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken",
    "\t".join(
        [
            "2025-10-10",
            "13:55:36",
            "FRA56-P1",
            "5120",
            "203.0.113.7",
            "GET",
            "d111111abcdef8.cloudfront.net",
            "/pricing",
            "200",
            REFERRER,
            AGENT.replace(" ", "%20"),
            "plan=team",
            "-",
            "Miss",
            "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
            HOST,
            "https",
            "37",
            "0.002",
        ]
    ),
]
ELB = (
    "2025-10-10T13:55:36.945958Z my-loadbalancer 203.0.113.7:2817 10.0.0.1:80 0.000073 0.001048 "
    f'0.000057 200 200 0 5120 "GET https://{HOST}:443/pricing?plan=team HTTP/1.1" "{AGENT}" '
    "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"
)
ALB = (
    "https 2025-10-10T13:55:36.186641Z app/my-loadbalancer/50dc6c495c0c9188 203.0.113.7:2817 "
    f'10.0.0.1:80 0.000 0.001 0.000 200 200 34 5120 "GET https://{HOST}:443/pricing?plan=team '
    f'HTTP/1.1" "{AGENT}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "
    f'"Root=1-58337262-36d228ad5d99923122bbe354" "{HOST}" "-" 0 2025-10-10T13:55:36.000000Z '
    '"forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd'
)
S3 = (
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be northwind-site "
    "[10/Oct/2025:13:55:36 +0000] 203.0.113.7 - 3E57427F3EXAMPLE WEBSITE.GET.OBJECT pricing "
    f'"GET /pricing?plan=team HTTP/1.1" 200 - 5120 5120 7 6 "{REFERRER}" "{AGENT}" - '
    "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 "
    f"ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {HOST} TLSv1.2 -"
)
CADDY = (
    '{"level":"info","ts":1760104536.524,"logger":"http.log.access","msg":"handled request",'
    '"request":{"remote_ip":"10.0.0.5","remote_port":"41342","client_ip":"203.0.113.7",'
    f'"proto":"HTTP/2.0","method":"GET","host":"{HOST}","uri":"/pricing?plan=team",'
    f'"headers":{{"User-Agent":["{AGENT}"],"Referer":["{REFERRER}"]}}}},'
    '"bytes_read":0,"duration":0.0009,"size":5120,"status":200,"resp_headers":{}}'
)
TRAEFIK = (
    '{"ClientAddr":"203.0.113.7:51234","ClientHost":"203.0.113.7","ClientPort":"51234",'
    '"DownstreamContentSize":5120,"DownstreamStatus":200,"Duration":1200000,'
    f'"RequestAddr":"{HOST}","RequestHost":"{HOST}","RequestMethod":"GET",'
    '"RequestPath":"/pricing?plan=team","RequestProtocol":"HTTP/1.1","RouterName":"web@docker",'
    '"StartUTC":"2025-10-10T13:55:36.123456789Z","entryPointName":"websecure",'
    f'"request_User-Agent":"{AGENT}","request_Referer":"{REFERRER}","level":"info","msg":""}}'
)
NGINX_JSON = (
    '{"time_iso8601":"2025-10-10T15:55:36+02:00","remote_addr":"203.0.113.7",'
    '"request":"GET /pricing?plan=team HTTP/1.1","status":"200","body_bytes_sent":"5120",'
    f'"http_referer":"{REFERRER}","http_user_agent":"{AGENT}","host":"{HOST}"}}'
)
HAPROXY = (
    "Oct 10 13:55:36 lb1 haproxy[14389]: 203.0.113.7:33317 [10/Oct/2025:13:55:36.655] "
    "https-in~ web/srv1 10/0/30/69/109 200 5120 - - ---- 1/1/1/1/0 0/0 "
    f'{{{HOST}|{AGENT}|{REFERRER}}} {{}} "GET /pricing?plan=team HTTP/1.1"'
)
