"""Pairing a phone with the app on the home network, through the ASGI client: a request from
another address needs the device cookie that a one-time pairing token gives; the token works
once and expires; loopback stays trusted; the Host check accepts the certificate's names and
--allow-host's; the plain-HTTP listener redirects to HTTPS and hands out the CA certificate."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from cryptography import x509

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from scapula.web.app import Config, create_app
from scapula.web.pairing import DEVICE_COOKIE, TOKEN_TTL_S, Pairing
from scapula.web.plain import PlainHttp

PHONE = ("192.168.1.50", 51000)
HERE = ("127.0.0.1", 51000)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def lan_app(tmp_path: Path, https: bool = True):
    config = Config(
        db_url=f"sqlite:///{tmp_path / 'log.db'}",
        data_dir=tmp_path / "data",
        host="0.0.0.0",
        https=https,
        allow_hosts=("scapula.test",),
    )
    app = create_app(config)
    app.state.pairing.clock = Clock()
    return app


def client(app, who=PHONE, scheme="https") -> TestClient:
    return TestClient(app, base_url=f"{scheme}://scapula.test", client=who, follow_redirects=False)


def test_a_token_pairs_once_and_expires() -> None:
    clock = Clock()
    pairing = Pairing(b"k" * 32, clock=clock)
    token = pairing.new_token()
    cookie = pairing.redeem(token)
    assert cookie is not None and pairing.device(cookie) is not None
    assert pairing.redeem(token) is None  # once
    late = pairing.new_token()
    clock.now += TOKEN_TTL_S + 1
    assert pairing.redeem(late) is None  # expired
    assert pairing.redeem("made-up") is None
    assert pairing.device(cookie + "x") is None and pairing.device("") is None
    assert Pairing(b"o" * 32, clock=clock).device(cookie) is None  # another app's secret
    clock.now += 401 * 86400
    assert pairing.device(cookie) is None  # a device cookie does not last for ever


def test_only_paired_phones_reach_the_app_on_the_network(tmp_path: Path) -> None:
    app = lan_app(tmp_path)
    phone = client(app)
    # before pairing: every page, the API and the coach's socket are refused; the app's code is not
    r = phone.get("/session")
    assert r.status_code == 401 and "This device is not paired" in r.text
    assert phone.get("/api/sessions").json() == {"detail": "this device is not paired: scan the pairing QR code"}
    assert phone.get("/static/app.css").status_code == 200
    assert phone.get("/manifest.webmanifest").status_code == 200
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), phone.websocket_connect("/ws/coach"):
        pass
    # the computer itself is trusted, and its /phone page shows a pairing code
    here = client(app, HERE)
    page = here.get("/phone")
    assert page.status_code == 200 and "<svg" in page.text
    url = re.search(r'aria-label="QR code: ([^"]+/pair\?token=[^"]+)"', page.text)[1]
    assert url.startswith("https://") and ":8443/pair?token=" in url
    path = url[url.index("/pair") :]
    # the phone scans it: signed in, with a Secure HttpOnly cookie
    r = phone.get(path)
    assert r.status_code == 303 and r.headers["location"] == "/phone?paired=1"
    set_cookie = r.headers["set-cookie"].lower()
    assert set_cookie.startswith(DEVICE_COOKIE) and "httponly" in set_cookie and "secure" in set_cookie
    assert phone.get("/session").status_code in (200, 303)
    assert phone.get("/phone?paired=1").status_code == 200
    # the CSRF design still holds for the paired phone
    assert phone.post("/api/sessions").status_code == 403
    h = {"X-CSRF-Token": phone.get("/api/csrf").json()["token"]}
    assert phone.post("/api/equipment", json={"kind": "band", "value": "red"}, headers=h).status_code == 201
    # the code worked once: another phone scanning it again is refused, and stays out
    other = client(app, ("192.168.1.51", 52000))
    r = other.get(path)
    assert r.status_code == 400 and "used already or has expired" in r.text
    assert other.get("/session").status_code == 401
    # a code left too long expires
    url = re.search(r"/pair\?token=[^\"]+", here.get("/phone").text)[0]
    app.state.pairing.clock.now += TOKEN_TTL_S + 1
    assert other.get(url).status_code == 400
    # a forged cookie is no way in
    other.cookies.set(DEVICE_COOKIE, phone.cookies.get(DEVICE_COOKIE)[:-2] + "xx")
    assert other.get("/session").status_code == 401


def test_plain_http_on_the_network_pairs_without_secure_cookies(tmp_path: Path) -> None:
    app = lan_app(tmp_path, https=False)
    here = client(app, HERE, scheme="http")
    page = here.get("/phone").text
    assert "its browser will give the page no camera" in " ".join(page.split())
    path = re.search(r"/pair\?token=[^\"]+", page)[0]
    r = client(app, scheme="http").get(path)
    assert r.status_code == 303 and "secure" not in r.headers["set-cookie"].lower()


def test_the_host_check_on_the_network(tmp_path: Path) -> None:
    app = lan_app(tmp_path)
    here = TestClient(app, client=HERE)
    for host in ("127.0.0.1", "localhost", "scapula.test", *app.state.names.all()):
        shown = f"[{host}]" if ":" in host else host
        assert here.get("/static/app.css", headers={"host": f"{shown}:8443"}).status_code == 200, host
    r = here.get("/static/app.css", headers={"host": "rebind.example.com:8443"})
    assert r.status_code == 400 and "unknown host" in r.text


def test_the_plain_listener_redirects_and_serves_the_ca(tmp_path: Path) -> None:
    app = lan_app(tmp_path)
    certificates = app.state.certificates
    plain = PlainHttp(app, certificates, 8443, app.state.allowed_hosts)
    phone = TestClient(plain, base_url="http://scapula.test:8000", client=PHONE, follow_redirects=False)
    r = phone.get("/session?x=1")
    assert r.status_code == 301 and r.headers["location"] == "https://scapula.test:8443/session?x=1"
    assert r.headers["x-frame-options"] == "DENY"
    page = phone.get("/ca")
    assert certificates.ca_fingerprint() in page.text and 'href="/ca.crt"' in page.text
    der = phone.get("/ca.crt")
    assert der.headers["content-type"] == "application/x-x509-ca-cert"
    ca = x509.load_der_x509_certificate(der.content)
    assert ca == x509.load_pem_x509_certificate(certificates.ca.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert phone.get("/", headers={"host": "rebind.example.com"}).status_code == 400
    # the computer itself keeps the app on plain HTTP, as without --https
    here = TestClient(plain, base_url="http://127.0.0.1:8000", client=HERE, follow_redirects=False)
    assert here.get("/static/app.css").status_code == 200
    assert here.get("/phone").status_code == 200
    # a phone at a loopback name (not its own address) is still redirected
    assert phone.get("/phone", headers={"host": "localhost:8000"}).status_code == 301


def test_manifest_and_service_worker(tmp_path: Path) -> None:
    app = lan_app(tmp_path)
    here = client(app, HERE)
    manifest = here.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    body = manifest.json()
    assert body["start_url"] == "/session" and body["display"] == "fullscreen"
    for icon in body["icons"]:
        assert here.get(icon["src"]).headers["content-type"] == "image/png"
    sw = here.get("/sw.js")
    assert sw.headers["content-type"].startswith("text/javascript")
    shell = re.search(r"const SHELL = (\[.*\]);", sw.text)[1]
    for url in re.findall(r'"([^"]+)"', shell):
        assert here.get(url).status_code == 200, url


def test_the_in_browser_pose_files_by_name_only(tmp_path: Path) -> None:
    from scapula.web.app import BROWSER_POSE, browser_pose_dir

    app = lan_app(tmp_path)
    here = client(app, HERE)
    assert app.state.browser_pose, "make install fetches them (scripts/fetch_browser_pose.py)"
    for name, media in BROWSER_POSE.items():
        r = here.get(f"/static/mp/{name}")
        assert r.status_code == 200 and r.headers["content-type"] == media
        assert r.content == (browser_pose_dir() / name).read_bytes()
    assert here.get("/static/mp/VERSION").status_code == 404  # on disk, but not a served name
    assert here.get("/static/mp/..%2Fapp.css").status_code == 404
    # without the files (a checkout without `make install`): the page says frames go to the computer
    app.state.browser_pose = False
    assert here.get("/static/mp/pose.js").status_code == 404


def test_serve_refuses_bad_options_in_one_line(cli) -> None:
    for args, message in (
        (["--allow-host", "bad host"], "error: --allow-host: 'bad host' is not a host name or address"),
        (["--https", "--port", "9000", "--https-port", "9000"], "error: --https-port: must differ from --port"),
    ):
        result = cli("serve", *args)
        lines = result.err.strip().splitlines()
        assert result.code == 2 and len(lines) == 1 and lines[0].startswith(message), result.err


def test_forgetting_every_paired_phone_holds_across_a_restart(tmp_path: Path) -> None:
    app = lan_app(tmp_path)
    here, phone = client(app, HERE), client(app)
    phone.get(re.search(r"/pair\?token=[^\"]+", here.get("/phone").text)[0])
    assert phone.get("/session").status_code in (200, 303)
    # a paired phone may not do it, the computer may
    h = {"X-CSRF-Token": phone.get("/api/csrf").json()["token"]}
    assert phone.post("/phone/forget", headers=h).status_code == 403
    app.state.pairing.clock.now += 1
    h = {"X-CSRF-Token": here.get("/api/csrf").json()["token"]}
    r = here.post("/phone/forget", headers=h)
    assert r.status_code == 303 and r.headers["location"] == "/phone?forgotten=1"
    assert phone.get("/session").status_code == 401
    # the same data dir after a restart: still forgotten; a new pairing works
    again = lan_app(tmp_path)
    again.state.pairing.clock.now = app.state.pairing.clock.now + 1
    cookie = phone.cookies.get(DEVICE_COOKIE)
    assert again.state.pairing.device(cookie) is None
    later = client(again)
    here = client(again, HERE)
    later.get(re.search(r"/pair\?token=[^\"]+", here.get("/phone").text)[0])
    assert later.get("/session").status_code in (200, 303)
