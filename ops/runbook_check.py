"""Follow docs/operations.md on this one machine and check that nothing is lost or stored twice.

Run by ops/runbook_check.sh (`make ops-test`). Every address is on the loopback; every process it starts
it stops. The steps, as the runbook says them:

1. PostgreSQL with TLS: a throwaway cluster (bench/postgres.py), a certificate authority and a server
   certificate for `localhost`, the `finance` role with a password, `hostssl ... scram-sha-256` only; the
   replicas connect with `sslmode=verify-full` and the password from a pgpass file of one line.
2. The environment file written as the runbook shows it, read by `sh` (`set -a; . env`) for every command.
3. `python -m data build --sample-rows 0`, two replicas (`streamlit run serve.py`), `/readyz` on each.
4. nginx (Debian's) with ops/nginx/finance-dashboard.conf, only the addresses and certificate changed:
   HSTS, a Secure stickiness cookie, every request of one browser on one replica.
5. In Chromium through nginx: sign in (a local OpenID Connect provider), upload a 15 MB monitoring extract
   and load it; type a note, stop PostgreSQL, send it, wait 30 s, start PostgreSQL, send it again.
6. ops/backup.sh; another update; replicas stopped; ops/restore.sh; replicas started.
7. Checks: the extract's lines all there once, the note stored once, the update after the backup gone (as a
   restore must), the store consistent, and the replicas ready again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench import postgres  # noqa: E402
from bench.serving import free_port, start_server, stop  # noqa: E402
from data.vocab import counted  # noqa: E402
from tests.support.helpers import wait_for_app  # noqa: E402

PASSWORD = "runbook-check-only"
ADMIN = "finance.systems@dorset.example.gov.uk"
NOTE = "Typed before PostgreSQL stopped, sent while it was down"
AFTER_BACKUP = "Recorded after the backup: a restore takes it away"
EXTRACT_BYTES = 15 * 1024 * 1024
DIRECTORATES = ["Place", "Adults & Housing", "Children's Services", "Corporate Development", "Central budgets"]
SECRETS = """
[auth]
redirect_uri = "https://localhost:{nginx_port}/oauth2callback"
cookie_secret = "one-secret-for-every-replica-runbook-check-only"
client_id = "finance-dashboard"
client_secret = "runbook-check-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[roles]
admins = ["{admin}"]
"""


def say(step: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {step}", flush=True)


def run(*command: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def with_env(env_file: Path, command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A command run as the runbook runs it: `set -a; . /etc/finance-dashboard/env; ...`."""
    return run("sh", "-c", f"set -a; . {env_file}; {command}", env=env)


def certificates(folder: Path, owner: str | None) -> dict[str, Path]:
    """A certificate authority and a server certificate for localhost, as a council's would be."""
    names = ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt")
    ca_key, ca, key, request, cert = (folder / name for name in names)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Runbook check CA",
        "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", str(key),
        "-out", str(request))  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-days", "2", "-extfile", str(folder / "san.ext"), "-out", str(cert))  # fmt: skip
    # PostgreSQL reads the key only if its own user owns it, with no access for others.
    server_key = folder / "pg-server.key"
    shutil.copy(key, server_key)
    server_key.chmod(0o600)
    if owner:
        shutil.chown(server_key, owner)
    return {"ca": ca, "cert": cert, "key": key, "pg_key": server_key}


def start_postgres(certs: dict[str, Path]) -> tuple[postgres.ThrowawayPostgres, str]:
    """Step 1: PostgreSQL with TLS, the finance role and database, hostssl and a password only."""
    server = postgres.start(postgres.postgres_bin())
    admin = ["-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
    hba = server.root / "data" / "pg_hba.conf"
    hba.write_text(
        "hostssl finance finance 127.0.0.1/32 scram-sha-256\n"
        "host    finance finance 127.0.0.1/32 reject\n" + hba.read_text()
    )
    statements = [
        f"ALTER SYSTEM SET ssl_cert_file = '{certs['cert']}'",
        f"ALTER SYSTEM SET ssl_key_file = '{certs['pg_key']}'",
        "ALTER SYSTEM SET ssl = on",
        "SELECT pg_reload_conf()",
        f"CREATE ROLE finance LOGIN PASSWORD '{PASSWORD}'",
    ]
    for statement in statements:
        run("psql", *admin, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", statement)
    server.run("createdb", *admin, "-O", "finance", "finance")
    return server, (
        f"dbname=finance host=localhost port={server.port} user=finance sslmode=verify-full sslrootcert={certs['ca']}"
    )


def replica(name: str, port: int, env_file: Path, secrets: Path, env: dict[str, str], logs: Path):
    """Step 5's unit, by hand: the environment file, then `streamlit run serve.py` on its address."""
    command = [
        "sh", "-c", f"set -a; . {env_file}; exec {sys.executable} -m streamlit run serve.py --server.address "
        f"127.0.0.1 --server.port {port} --server.headless true --secrets.files {secrets}",
    ]  # fmt: skip
    return start_server(command, env, port, logs / f"replica-{name}.log")


def get(url: str, headers: dict[str, str] | None = None, context=None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return response.status, dict(response.headers.items()), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read().decode()


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while get(f"{url}/readyz")[0] != 200:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}/readyz did not say ready in {timeout:.0f} s")
        time.sleep(1)


def static_files(browser, url: str) -> list[tuple[str, int, int]]:
    """A fresh browser opens the sign-in page: each of Streamlit's static files as (X-Cache-Status, bytes
    sent, bytes of the file)."""
    context = browser.new_context(ignore_https_errors=True)
    seen = []
    try:
        page = context.new_page()
        page.on("requestfinished", lambda request: seen.append(request))
        page.goto(url)
        page.get_by_role("button", name="Sign in").wait_for()
        page.wait_for_load_state("networkidle")
        files = []
        for request in seen:
            if "/static/" not in request.url:
                continue
            response = request.response()
            body = len(response.body())
            files.append((response.headers.get("x-cache-status", "none"), request.sizes()["responseBodySize"], body))
        return files
    finally:
        context.close()


def start_nginx(folder: Path, port: int, replicas: list[int], certs: dict[str, Path]) -> Path:
    """Step 6: the runbook's nginx file, only its addresses and certificate changed (and a header naming the
    replica that answered, for the check of stickiness)."""
    site = (PROJECT_DIR / "ops" / "nginx" / "finance-dashboard.conf").read_text()
    for old, new in (
        ("10.0.0.11:8501", f"127.0.0.1:{replicas[0]}"),
        ("10.0.0.12:8501", f"127.0.0.1:{replicas[1]}"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
        ("/etc/ssl/certs/finance-dashboard.crt", str(certs["cert"])),
        ("/etc/ssl/private/finance-dashboard.key", str(certs["key"])),
        ("proxy_cookie_flags ~ secure;", "proxy_cookie_flags ~ secure;\n    add_header X-Replica $upstream_addr;"),
        ("/var/cache/nginx/finance-dashboard", str(folder / "static-cache")),
    ):
        assert old in site, f"ops/nginx/finance-dashboard.conf no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\nhttp {{\n"
        f"    access_log {folder}/access.log;\n    client_body_temp_path {folder}/body;\n"
        f"    proxy_temp_path {folder}/proxy;\n    include {folder}/site.conf;\n}}\n"
    )
    run("nginx", "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder))
    run("nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder))
    return folder / "nginx.conf"


def extract(path: Path) -> int:
    """A period-close monitoring extract of about 15 MB, one line per cost centre."""
    lines = ["fiscal_year,period,directorate,service,cost_centre,annual_budget_gbp,actual_ytd_gbp,forecast_outturn_gbp"]
    size, n = len(lines[0]) + 1, 0
    while size < EXTRACT_BYTES:
        line = (f"2021/22,P3,{DIRECTORATES[n % 5]},Service {n % 37} (budget monitoring line),CC-{n:07d},"
                f"{1000 + n % 997},{1100 + n % 991},{1050 + n % 983}")  # fmt: skip
        lines.append(line)
        size += len(line) + 1
        n += 1
    path.write_text("\n".join(lines) + "\n")
    return n


COUNT = (
    "import sys\nfrom data.db import connect\n"
    "with connect() as c:\n    print(c.execute(sys.argv[1], sys.argv[2:]).fetchone()[0])"
)


def count(env_file: Path, env: dict[str, str], sql: str, *values: str) -> int:
    """A number read from the store by a new process with the replicas' environment."""
    done = run("sh", "-c", f'set -a; . {env_file}; exec {sys.executable} -c "$0" "$@"', COUNT, sql, *values, env=env)
    return int(done.stdout.strip().splitlines()[-1])


def main() -> int:
    import oidc_provider_mock
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="finance-runbook-"))
    owner = "nobody" if os.geteuid() == 0 else None
    if owner:
        shutil.chown(work, owner)  # the cluster's user reads its key here
        work.chmod(0o755)
    env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1", "FINANCE_LOCK": str(work / "store.lock")}
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        say("1. PostgreSQL with TLS (verify-full), a finance role with a password, hostssl only")
        certs = certificates(work, owner)
        server, catalog = start_postgres(certs)
        cleanup.callback(server.stop)
        pgpass = work / "pgpass"
        pgpass.write_text(f"localhost:{server.port}:finance:finance:{PASSWORD}\n")
        pgpass.chmod(0o600)

        say("2. The environment file, as docs/operations.md step 4 writes it")
        env_file = work / "env"
        env_file.write_text(
            f'FINANCE_STORE="ducklake"\nFINANCE_CATALOG="{catalog}"\nFINANCE_DATA_PATH="{work}/lake/"\n'
            f'PGPASSFILE="{pgpass}"\n'
        )
        with_env(env_file, f"{sys.executable} -m data build --sample-rows 0", env)

        provider = cleanup.enter_context(oidc_provider_mock.run_server_in_thread())
        nginx_port = free_port()
        secrets = work / "secrets.toml"
        secrets.write_text(
            SECRETS.format(nginx_port=nginx_port, provider=f"http://localhost:{provider.server_port}", admin=ADMIN)
        )
        say("3. Two replicas, each ready")
        ports = [free_port(), free_port()]
        replicas = {}

        def start_replicas() -> None:
            for name, port in zip("AB", ports, strict=True):
                replicas[name] = replica(name, port, env_file, secrets, env, work)
                wait_ready(f"http://127.0.0.1:{port}")

        def stop_replicas() -> None:
            for process in replicas.values():
                stop(process)

        start_replicas()
        cleanup.callback(stop_replicas)

        say("4. nginx with ops/nginx/finance-dashboard.conf")
        conf = start_nginx(work, nginx_port, ports, certs)
        cleanup.callback(run, "nginx", "-s", "stop", "-c", str(conf), "-p", str(work), check=False)
        url = f"https://localhost:{nginx_port}"
        import ssl

        trusted = ssl.create_default_context(cafile=str(certs["ca"]))
        status, headers, _ = get(f"{url}/readyz", context=trusted)
        assert status == 200, status
        assert headers.get("Strict-Transport-Security") == "max-age=31536000", headers
        cookie = headers["Set-Cookie"].split(";")[0]
        assert "Secure" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"], headers["Set-Cookie"]
        answered = {get(f"{url}/readyz", {"Cookie": cookie}, trusted)[1]["X-Replica"] for _ in range(20)}
        assert len(answered) == 1, f"one browser's requests went to {answered}"
        say(f"   HSTS, a Secure HttpOnly stickiness cookie; 20 requests with it all went to {answered.pop()}")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(120_000)
            context.route("**/*", lambda r: r.continue_() if "localhost" in r.request.url else r.abort())
            page = context.new_page()

            say("   Static files: a second fresh browser is answered from nginx's cache, compressed")
            first, second = (static_files(browser, url) for _ in range(2))
            assert first and all(status in ("MISS", "HIT") for status, _, _ in first), first
            assert all(status == "HIT" for status, _, _ in second), [s for s in second if s[0] != "HIT"]
            sent = sum(size for _, size, _ in second)
            unpacked = sum(size for _, _, size in second)
            say(
                f"   {len(second)} static files per fresh visit, all from the cache: {sent / 1e6:.1f} MB sent "
                f"for {unpacked / 1e6:.1f} MB of files; none reached a replica"
            )

            say("5. Sign in through nginx; upload and load a 15 MB extract")
            page.goto(url)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_placeholder("sub").fill(ADMIN)
            page.get_by_role("button", name="Authorize").click()
            page.wait_for_url(f"{url}/**")
            wait_for_app(page, 180_000)
            file = work / "ledger-2021-22-p3.csv"
            lines = extract(file)
            page.goto(f"{url}/data_sources")
            wait_for_app(page, 180_000)
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(file))
            page.get_by_role("button", name=f"Load {lines:,} lines").click(timeout=600_000)
            page.get_by_text(f"Loaded {counted(lines, 'line')} from").wait_for(timeout=600_000)
            say(f"   {file.stat().st_size / 1024 / 1024:.1f} MB, {lines:,} lines loaded through nginx")

            say("   A note typed, PostgreSQL stopped for 30 s, the note sent during and after")
            page.goto(f"{url}/action_plan?rec=9")
            wait_for_app(page, 180_000)
            page.get_by_role("textbox", name="Note").fill(NOTE)
            server.pause()
            down = time.monotonic()
            page.get_by_role("button", name="Record update").click()
            page.get_by_text("The shared store cannot be reached just now").wait_for()
            wait_for_app(page)
            assert page.get_by_role("textbox", name="Note").input_value() == NOTE, "the note left the form"
            assert "Something went wrong" not in page.get_by_test_id("stMain").inner_text()
            status = get(f"http://127.0.0.1:{ports[0]}/readyz")
            assert status[0] == 503, status
            time.sleep(max(0.0, 30 - (time.monotonic() - down)))
            server.resume()
            say(f"   PostgreSQL down {time.monotonic() - down:.0f} s; the note still in the form; /readyz was 503")
            page.get_by_role("button", name="Record update").click()
            page.get_by_text("Recorded update").wait_for()
            page.get_by_role("button", name="Record update").click()  # sent again: recognised, not stored
            page.get_by_text("already recorded").wait_for()

        say("6. ops/backup.sh, an update after it, replicas stopped, ops/restore.sh, replicas started")
        backup = with_env(env_file, f"sh ops/backup.sh {work}/backups", env).stdout.strip().splitlines()[-1]
        at_backup = count(env_file, env, "SELECT count(*) FROM action_updates")
        with_env(env_file, f"{sys.executable} -c \"from data.access import Actor\nfrom data.db import connect\n"
                 f"from data.actions import record_update\nwith connect() as c: record_update(c, Actor('x@y.z', "
                 f"'editor'), 3, status='blocked', percent_complete=1, revised_due_date=None, note='{AFTER_BACKUP}', "
                 f"evidence_url=None)\"", env)  # fmt: skip
        stop_replicas()
        with_env(env_file, f"sh ops/restore.sh {backup}", env)
        start_replicas()

        say("7. Checks")
        loaded = count(env_file, env, "SELECT count(*) FROM monitoring WHERE cost_centre LIKE 'CC-%'")
        notes = count(env_file, env, "SELECT count(*) FROM action_updates WHERE note = ?", NOTE)
        after = count(env_file, env, "SELECT count(*) FROM action_updates WHERE note = ?", AFTER_BACKUP)
        updates = count(env_file, env, "SELECT count(*) FROM action_updates")
        distinct = count(env_file, env, "SELECT count(DISTINCT update_id) FROM action_updates")
        print(
            f"   extract lines stored: {loaded:,} of {lines:,}; the note stored {counted(notes, 'time')}; the update "
            f"after the backup: {after}; updates {updates} (at the backup {at_backup}), distinct ids {distinct}"
        )
        assert (loaded, notes, after, updates, distinct) == (lines, 1, 0, at_backup, at_backup)
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}")
    say("runbook followed: nothing lost, nothing stored twice")
    return 0


if __name__ == "__main__":
    sys.exit(main())
