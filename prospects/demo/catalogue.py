"""The demo vendor's site, the companies and networks its visitors come from, and user agents."""

SITE = "northwind-software.com"

BLOG = [
    f"/blog/{slug}"
    for slug in (
        "resource-planning-101",
        "utilization-benchmarks-2026",
        "why-projects-overrun",
        "billable-hours-myths",
        "psa-vs-spreadsheets",
        "forecasting-bench-time",
        "scaling-a-consultancy",
        "margin-leaks",
        "remote-delivery-teams",
        "skills-matrix-template",
        "kickoff-checklist",
        "estimating-fixed-fee-work",
        "quarterly-capacity-review",
        "hiring-vs-subcontracting",
        "client-health-scores",
        "time-tracking-without-tears",
        "project-portfolio-reviews",
        "change-requests-done-right",
        "the-utilization-trap",
        "what-cfos-ask-about-psa",
    )
] + ["/blog/", "/blog/page/2"]
PRODUCT = [
    "/product",
    "/product/resource-planning",
    "/product/time-tracking",
    "/product/billing",
    "/product/reporting",
    "/product/security",
    "/features",
    "/integrations",
    "/integrations/salesforce",
    "/integrations/jira",
    "/tour",
]
SCREENSHOTS = ["/product/screenshots", "/tour/gallery"]
PRICING = ["/pricing", "/pricing/enterprise", "/compare/harvest", "/compare/spreadsheets"]
COMPANY = [
    "/about",
    "/about/team",
    "/customers",
    "/case-studies/atlas-advisory",
    "/case-studies/brightline-it",
    "/partners",
]
PRESS = ["/press", "/press/series-b", "/news/northwind-2026-release"]
JOBS = [
    "/careers",
    "/careers/senior-backend-engineer",
    "/careers/account-executive",
    "/careers/customer-success-manager",
    "/about",
]
PREMIUM = [
    "/resources/whitepapers/psa-roi-study",
    "/resources/guide-to-utilization",
    "/ebooks/professional-services-benchmark-2026.pdf",
    "/webinars/capacity-planning-live",
    "/resources/whitepapers/implementation-playbook",
]
DOCS = [
    "/docs",
    "/docs/getting-started",
    "/docs/api",
    "/docs/sso",
    "/docs/import-data",
    "/docs/admin/roles",
    "/support",
]
ASSETS = [
    "/static/css/site.css",
    "/static/js/app.js",
    "/static/img/logo.svg",
    "/favicon.ico",
    "/static/fonts/inter.woff2",
]
SCREENSHOT_IMAGES = [f"/static/img/screenshots/screen-{n}.png" for n in range(1, 9)]

SEARCH_REFERRERS = [
    "https://www.google.com/",
    "https://www.google.co.uk/",
    "https://www.bing.com/search?q=psa+software",
    "https://duckduckgo.com/",
]
SOCIAL_REFERRERS = [
    "https://www.linkedin.com/feed/",
    "https://t.co/k3Xq9z",
    "https://www.facebook.com/",
    "https://www.reddit.com/r/consulting/",
]
PARTNER_REFERRERS = [
    "https://www.g2.com/categories/psa",
    "https://www.capterra.com/psa-software/",
    "https://blog.consultingsuccess.com/tools",
]
CAMPAIGN_QUERIES = [
    "utm_source=newsletter&utm_medium=email&utm_campaign=nov-release",
    "utm_source=linkedin&utm_medium=paid-social&utm_campaign=utilization-guide",
]

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.{m} Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.{m} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "",
]

# Word lists for fictional company names: <first>-<second>.<tld>.
NAME_FIRST = [
    "acme",
    "atlas",
    "blue",
    "bright",
    "cedar",
    "copper",
    "delta",
    "ember",
    "granite",
    "harbor",
    "iron",
    "juniper",
    "keystone",
    "lumen",
    "maple",
    "north",
    "oak",
    "pinnacle",
    "quartz",
    "river",
    "silver",
    "summit",
    "true",
    "vertex",
    "willow",
    "zenith",
    "apex",
    "beacon",
    "crest",
    "drift",
    "evergreen",
    "falcon",
    "golden",
    "highland",
    "ivory",
]
NAME_SECOND = [
    "consulting",
    "advisory",
    "partners",
    "analytics",
    "engineering",
    "systems",
    "solutions",
    "group",
    "digital",
    "labs",
    "services",
    "networks",
    "logistics",
    "health",
    "energy",
    "capital",
    "media",
    "works",
    "software",
    "robotics",
]
TLDS = ["com", "com", "com", "co.uk", "de", "io", "net", "com.au", "ca", "fr"]
ROUTER_NAMES = ["gw", "fw", "mail", "vpn", "proxy", "edge", "nat", "office"]

# Home broadband: (first octets to draw from, PTR template). {a}-{d} are the IP's octets.
ISP_POOLS = [
    ((73, 67, 98), "c-{a}-{b}-{c}-{d}.hsd1.ca.comcast.net"),
    ((71, 108), "pool-{a}-{b}-{c}-{d}.nycmny.fios.verizon.net"),
    ((24, 174), "cpe-{a}-{b}-{c}-{d}.socal.res.rr.com"),
    ((86, 81), "host{d}-{c}-{b}-{a}.range{a}-{b}.btcentralplus.com"),
    ((91, 93), "p{a:02X}{b:02X}{c:02X}{d:02X}.dip0.t-ipconnect.de"),
    ((88,), "{a}-{b}-{c}-{d}.dsl.ovh.fr"),
]
# Public blocks for company offices (first octet, second octet range).
OFFICE_BLOCKS = [
    (12, range(1, 250)),
    (63, range(64, 127)),
    (65, range(0, 255)),
    (129, range(0, 255)),
    (147, range(0, 255)),
    (192, range(100, 160)),
    (204, range(0, 255)),
    (208, range(0, 120)),
]
# Cloud scrapers and monitoring: names like AWS's.
CLOUD_PTR = "ec2-{a}-{b}-{c}-{d}.compute-1.amazonaws.com"
CLOUD_FIRST_OCTETS = (3, 18, 34, 52, 54)
UNIVERSITIES = ["stateuniversity.edu", "techinstitute.edu", "ox-college.ac.uk"]
