"""Bots by user agent: crawlers, AI fetchers, monitors, headless browsers; phones are people."""

import time

import pytest

from prospects.visits.ingest.bots import (
    AGENT_CAP,
    CLIENT,
    CONTACT,
    CRAWLER_LIST,
    LONE_PRODUCT,
    NO_AGENT,
    NOT_A_BROWSER,
    bot_rule,
    classify_agent,
    is_bot,
)

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    "agent",
    [
        # AI crawlers and fetchers.
        "anthropic-ai",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
        "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Perplexity-User/1.0; +https://perplexity.ai/perplexity-user)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot",
        # Monitors.
        "Datadog/Synthetics",
        "Amazon-Route53-Health-Check-Service (ref 2bd6c3a5-0f3e-4bd4-a1bb-1c1e4f3e9d27; report http://amzn.to/1vsZADi)",
        f"{CHROME} NewRelicSynthetics/1.0",
        "Checkly/1.0 (https://www.checklyhq.com)",
        "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        # Headless browsers and HTTP clients.
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36",
        "curl/8.4.0",
        "python-requests/2.32.3",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "axios/1.7.2",
        "GStreamer souphttpsrc 1.22.0 libsoup/3.4.4",
        # Scanners and agents with no product at all.
        "Mozilla/5.0 zgrab/0.x",
        "${jndi:ldap://x.example/a}",
        "Hello, world",
        "Chrome",
        # Shapes no browser sends: a lone product token, "compatible" and a name, a token of
        # its own inside the engine's parentheses.
        "collectd/5.5.1",
        "Prometheus/2.40.5",
        "Arachni/v1.5.1",
        "Mozilla/5.0 (compatible; SecurityScanner/1.0)",
        "Mozilla/5.0 (compatible)",
        "Mozilla/5.0 Keydrop",
        "Mozilla/5.0 xtate/2.12.4",
        "Mozilla/5.0 (Morningscore/1.0)",
        "Newsboat/2.29.0 (Linux x86_64)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko; Google-Sites-Thumbnails) Chrome/120.0.6099.71 Safari/537.36",
        # Still bots once crawlerdetect's 'Buddy', 'speedy' and '008/' are left out: they say
        # bot, spider or give a URL.
        "BuddyBot",
        "SpeedySpider - http://www.entireweb.com",
        "008/0.83 (http://www.advancedwebranking.com)",
        # A product and a desktop platform only is still a tool's shape.
        "Mozilla/4.0 (X11; Linux x86_64)",
        # Clients that read no page although uap-core names a device for them: WhatsApp's
        # link previews, updaters and SDKs with no product token, tools.
        "WhatsApp/2.11.102 Android/2.2.1 Device/HTC-HTC_Wildfire",
        "Nokia PC Suite Update Manager",
        "Samsung Fascinate Android_SDK",
        "Huaweisymantecspider (compatible; MSIE 8.0; DSE-support@huaweisymantec.com)",
        "PostmanRuntime/7.20.1",
    ],
)
def test_crawlers_fetchers_monitors_and_clients_are_bots(agent):
    assert is_bot(agent), agent


@pytest.mark.parametrize(
    "agent",
    [
        CHROME,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        # Phones whose model names the old extra regex or the lists took for bots.
        "Mozilla/5.0 (Linux; Android 8.1.0; RUBY Build/OPM2.171019.012) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.5481.153 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; arm_64; Android 13; PHP110) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 YaBrowser/23.7.0.271.00 SA/3 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 7.0; M bot 54) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.96 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; Spider 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 15; CPH2581 Build/AP3A.240617.008; ) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/141.0.7390.122 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 4.2.2; HTC Butterfly Build/JDQ39) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/31.0.1650.59 Mobile Safari/537.36",
        # Desktop apps built on Electron show pages to a person.
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) GitHubDesktop/2.9.4 Chrome/87.0.4280.141 Electron/11.5.0 Safari/537.36",
        "Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1",
        # Old phones' own browsers name only the handset; old browsers say "compatible".
        "BlackBerry6230/4.0.0",
        "HTC_One_S/2.38.111.10",
        "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
        "Mozilla/5.0 (compatible; Konqueror/4.4; Linux) KHTML/4.4.5 (like Gecko)",
        # Some proxies strip the parentheses; a phone's agent keeps its engine and browser.
        "Mozilla/5.0 Linux; Android 9; SM-N935F Build/PPR1.180610.011; wv AppleWebKit/537.36 KHTML, like Gecko Version/4.0 Chrome/74.0.3729.136 Mobile Safari/537.36",
        # crawlerdetect's 'Buddy', 'Pump', 'speedy' and '008/' in tablets' and handsets'
        # names and in a TV browser's random token (uap-core's and device-detector's agents).
        "Mozilla/5.0 (Linux; Android 4.0.4; I-Buddy 7.0 Build/IMM76D) AppleWebKit/535.19 (KHTML, like Gecko) Chrome/18.0.1025.166 Safari/535.19",
        "JUC (Linux; U; 4.0.4; zh-cn; iBuddyConnecta_3G; 480*768) UCWEB7.9.0.94/139/444",
        "Opera/9.80 (Linux sh4; U; HbbTV/1.1.1 (; INTEK; Vantage Full HD Model;;;) hdplusSmartTV/1.0 (NETRANGEMMH;) Bee/3.2 CE-HTML/1.0; FXM-U2FsdGVkX19Qg/USD6FU3img+tXTDE7V5tSiPuMpHRrd3vp0JyPLfoYS/+dL6w/H-END; en) Presto/2.10.250 Version/11.60",
        "Mozilla/5.0 (Linux; Android 6.0; SMART 4G Speedy 5.0 Plus Build/MRA58K) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/44.0.2403.119 Mobile Safari/537.36",
        "sprd-L008/1.0 Linux/2.6.35.7 Android/2.3.5 Release/09.10.2012 Browser/AppleWebKit533.1 (KHTML, like Gecko) Mozilla/5.0 Mobile",
        "DESAY TS1008/1.0 Release/07.12.2013 Mozilla/5.0 (Linux; U; Android 4.0.3; zh-cn) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
        # A custom ROM's version and model, with a forum's address in the model.
        "Mozilla/5.0 (Linux; U; Android WP7; de-de; GT-S5830 - Forum: http://forumgalaxyace.fora24.pl Build/GRWK74; WP7 by maniaczek1111) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1",
        # Symbian phones' browsers say X11.
        "Mozilla/4.0 (X11; Series60/2.1 Nokia7610/3.0415.0 Profile/MIDP-2.0 Configuration/CLDC-1.0)",
    ],
)
def test_browsers_and_phones_are_people(agent):
    assert not is_bot(agent), bot_rule(agent)


def test_the_rule_that_fired_is_named():
    assert bot_rule("") == NO_AGENT
    assert bot_rule("-") == NO_AGENT
    assert bot_rule("Checkly/1.0 (https://www.checklyhq.com)") in (CRAWLER_LIST, CONTACT)
    assert bot_rule("Acme Notes/2.1 (+https://example.net/notes)") == CONTACT
    assert bot_rule("feroxbuster/2.10") == CLIENT
    assert bot_rule("Antoine") == NOT_A_BROWSER
    assert bot_rule("Grafana/11.1.0") == LONE_PRODUCT
    assert bot_rule(CHROME) == ""


def test_a_huge_agent_costs_a_bounded_time():
    # Long runs without spaces made crawlerdetect's regex quadratic; the cap bounds it.
    agents = ["A" * 16_384, "Mozilla/5.0 (" + "x;" * 8000 + ")", "a/" * 8192]
    bot_rule(CHROME + " warm")  # the lists compile on first use
    for agent in agents:
        began = time.perf_counter()
        bot_rule(agent)
        assert time.perf_counter() - began < 0.25
    assert bot_rule("B" * AGENT_CAP + " Googlebot/2.1") == bot_rule("B" * AGENT_CAP)


def test_classify_agent_caches_and_hashes():
    bot, first = classify_agent(CHROME)
    assert (bot, first) == classify_agent(CHROME)
    assert not bot
    assert 0 <= first < 2**63
