"""The Dagster UI started exactly as `make ui` starts it, checked through its GraphQL endpoint and in Chromium.

The environment is clean, as on a fresh clone with nothing activated: PATH without the virtualenv, a fresh
DAGSTER_HOME, the warehouse and folders in a temporary directory, a free port on 127.0.0.1. `dagster dev` runs
dagster-dbt's `prepare_if_dev` (dbt parse), which is what once failed to find `dbt` on PATH while
`dagster definitions validate` passed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "ui"
STARTUP_TIMEOUT = 300  # seconds: `make ui` on a busy 2-core machine (dbt parse, then the code server)


@dataclass(frozen=True)
class RunningUI:
    url: str
    env: dict[str, str]
    log: Path
    startup_seconds: float


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(root: Path, port: int) -> dict[str, str]:
    """What a new user's shell has: no virtualenv on PATH, nothing of ours set, except where the data go."""
    venv = str(VENV_BIN.parent)
    path = [p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and not p.startswith(venv)]
    env = {key: os.environ[key] for key in ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER") if key in os.environ}
    return {
        **env,
        "PATH": os.pathsep.join(path),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "SALES_INBOX": str(root / "inbox"),
        "SALES_WAREHOUSE": str(root / "warehouse.duckdb"),
        "SALES_PUBLISH_DIR": str(root / "published"),
        "SALES_REJECTED_DIR": str(root / "rejected"),
        "UI_PORT": str(port),
    }


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


LOCATIONS = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message causes { message } } } } } } }"""


def location_state(url: str) -> tuple[str, str] | None:
    """(load status, error message or '') of the salesmetrics code location, or None before the server answers."""
    try:
        data = graphql(url, LOCATIONS)
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return None
    entries = data["workspaceOrError"].get("locationEntries", [])
    entry = next((e for e in entries if e["name"] == "salesmetrics"), None)
    if entry is None:
        return None
    loaded = entry["locationOrLoadError"] or {}
    errors = [loaded.get("message", ""), *(cause["message"] for cause in loaded.get("causes", []))]
    return entry["loadStatus"], "\n".join(e.strip() for e in errors if e)


def default_signals() -> None:
    """A shell or CI runner may start us with SIGINT/SIGTERM ignored; `make ui` must still stop when told."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningUI]:
    root = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = clean_environment(root, port)
    log = root / "make-ui.log"
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "ui"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the webserver, daemon and code server stop with it
            preexec_fn=default_signals,
        )
    try:
        state = None
        deadline = started + STARTUP_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            state = location_state(url)
            if state is not None and state[0] == "LOADED":
                break
            time.sleep(2)
        assert process.poll() is None, f"`make ui` exited with {process.returncode}:\n{log.read_text()[-4000:]}"
        assert state is not None and state[0] == "LOADED", f"not loaded after {STARTUP_TIMEOUT}s: {state}"
        startup = time.monotonic() - started
        print(f"make ui: code location loaded after {startup:.1f}s on {url}")
        yield RunningUI(url=url, env=env, log=log, startup_seconds=startup)
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen) -> None:
    """Stop every process of the group (make, dagster dev, webserver, daemon, code server): TERM, then KILL."""
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()  # reap make
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.5)


def test_code_location_loads_without_errors(ui: RunningUI) -> None:
    assert location_state(ui.url) == ("LOADED", "")
    assert "was not found on PATH" not in ui.log.read_text()


ASSETS = """{ assetNodes { assetKey { path } groupName dependencyKeys { path }
  assetChecksOrError { __typename ... on AssetChecks { checks { name blocking } } } } }"""
REPOSITORY = """{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name }
  jobs { name } schedules { name } sensors { name } } } } }"""


def test_every_asset_check_schedule_and_sensor_is_listed(ui: RunningUI) -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    expected_assets = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    expected_checks = {f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys}

    nodes = graphql(ui.url, ASSETS)["assetNodes"]
    listed = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    checks = {
        f"{'/'.join(n['assetKey']['path'])}:{c['name']}" for n in nodes for c in n["assetChecksOrError"]["checks"]
    }
    assert listed == expected_assets
    assert checks == expected_checks
    # Every stage is there: ingest (with its blocking audit check), dbt models and tests, publication.
    assert listed["raw/salesforce__opportunity"] == "ingest"
    assert "raw/salesforce__opportunity:salesforce__opportunity__passes_audit" in checks
    assert listed["staging/stg_salesforce__opportunities"] == "staging"
    assert listed["intermediate/int_opportunities_attributed"] == "intermediate"
    assert listed["marts/kpi_scorecard"] == "marts"
    assert any(c.startswith("marts/kpi_scorecard:") for c in checks - {"marts/kpi_scorecard:"})
    assert listed["snapshots/kpi_weekly"] == listed["snapshots/kpi_monthly"] == "publish"
    assert len([g for g in listed.values() if g == "ingest"]) >= 10

    [repository] = graphql(ui.url, REPOSITORY)["repositoriesOrError"]["nodes"]
    assert repository["location"]["name"] == "salesmetrics"
    assert {s["name"] for s in repository["schedules"]} == {
        "refresh_warehouse_job_schedule",
        "publish_weekly_snapshot_job_schedule",
        "publish_monthly_snapshot_job_schedule",
    }
    assert {s["name"] for s in repository["sensors"]} >= {"inbox_sensor"}
    assert {j["name"] for j in repository["jobs"]} >= {
        "refresh_warehouse_job",
        "publish_weekly_snapshot_job",
        "publish_monthly_snapshot_job",
    }


def test_dagster_dev_finds_dbt_without_the_virtualenv_on_path(tmp_path: Path) -> None:
    """`dagster dev` / `dg dev` started with the venv's binaries but without PATH: dbt parse still runs."""
    env = {**clean_environment(tmp_path, 0), "DAGSTER_IS_DEV_CLI": "1"}
    probe = "from pipelines.defs.transform.project import DBT_EXECUTABLE, dbt_project; print(DBT_EXECUTABLE)"
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(VENV_BIN / "dbt")
    assert (ROOT / "dbt_project" / "target" / "manifest.json").is_file()


RUNS = """{ runsOrError { ... on Runs { results { runId jobName status tags { key value } } } } }"""


def test_runs_of_the_command_line_appear_in_the_ui_run_history(ui: RunningUI) -> None:
    """`salesmetrics` with the same DAGSTER_HOME records its runs where the UI reads them (here a refusal)."""
    done = subprocess.run(
        [str(VENV_BIN / "salesmetrics"), "publish", "monthly", "--period", "2026-06"],
        cwd=ROOT,
        env=ui.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "nothing has been ingested yet" in done.stderr, done.stderr
    runs = graphql(ui.url, RUNS)["runsOrError"]["results"]
    [run] = [r for r in runs if r["jobName"] == "publish_monthly_snapshot_job"]
    assert run["status"] == "FAILURE"
    assert {"key": "dagster/partition", "value": "2026-06-01"} in run["tags"]


LAUNCH = """mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
RUN = """query Run($runId: ID!) { runOrError(runId: $runId) { ... on Run { status
  stats { ... on RunStatsSnapshot { stepsSucceeded stepsFailed } } } } }"""
CHECK = """query Check($key: AssetKeyInput!, $name: String!) { assetCheckExecutions(assetKey: $key, checkName: $name,
  limit: 1) { runId status evaluation { success } } }"""


def test_a_run_launched_from_the_ui_runs_through_the_queue_and_succeeds(ui: RunningUI) -> None:
    """What "Materialize" does: launch a job (here ingest and audit of an empty inbox), queued, run by the daemon."""
    [repository] = graphql(ui.url, REPOSITORY)["repositoriesOrError"]["nodes"]
    selector = {"repositoryLocationName": "salesmetrics", "repositoryName": repository["name"]}
    params = {"selector": {**selector, "jobName": "ingest_exports_job"}, "runConfigData": {}}
    launched = graphql(ui.url, LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status = time.monotonic() + 240, None
    while time.monotonic() < deadline:
        run = graphql(ui.url, RUN, {"runId": run_id})["runOrError"]
        status = run["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    assert status == "SUCCESS", f"{status}: {run}"
    assert run["stats"]["stepsFailed"] == 0 and run["stats"]["stepsSucceeded"] >= 23
    # Nothing was accepted, so the marts are not behind: the freshness check ran after the ingests and passed.
    key = {"path": ["marts", "kpi_scorecard"]}
    [execution] = graphql(ui.url, CHECK, {"key": key, "name": "includes_newest_accepted_export"})[
        "assetCheckExecutions"
    ]
    assert execution["runId"] == run_id and execution["evaluation"]["success"] is True


# Text the UI shows when it cannot show something: a code location's error, an empty graph, a missing page.
# ("Failed" alone may be a run's status: the command line's refused publication above is one.)
TROUBLE = ("View error", "error occurred", "Error loading", "Empty graph", "PythonError", "not found", "Unable to")
PAGES = {
    "locations": ("/locations", ["salesmetrics", "Loaded"]),
    "runs": ("/runs", ["publish_monthly_snapshot_job", "ingest_exports_job"]),
    "lineage": ("/asset-groups", ["ingest", "staging", "intermediate", "marts", "publish"]),
    "asset-kpi_monthly": ("/assets/snapshots/kpi_monthly", ["marts / kpi_scorecard", "publish_monthly_snapshot_job"]),
    "automation": ("/automation", ["inbox_sensor", "publish_monthly_snapshot_job_schedule"]),
}


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium; .ci/run does)"
)
def test_pages_show_no_error_and_are_saved_as_screenshots(ui: RunningUI) -> None:
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*flags, "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            for name, (path, expected) in PAGES.items():
                page.goto(f"{ui.url}{path}")
                page.wait_for_load_state("networkidle")
                skip = page.get_by_role("button", name="Skip")  # the first visit's "Join the community" dialog
                if skip.count():
                    skip.first.click()
                for text in expected:
                    page.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
                shot = ARTIFACTS / f"{name}.png"
                page.screenshot(path=str(shot))
                print(f"screenshot: {shot}")
                shown = page.locator("body").inner_text()
                trouble = (*TROUBLE, "Failed") if name == "locations" else TROUBLE
                assert [t for t in trouble if t in shown] == [], f"{path} shows a problem; see {shot}"
        finally:
            browser.close()


def test_every_asset_and_check_has_a_description() -> None:
    """What a check page shows under "About": dbt tests without one of their own say what they test and where."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    assert [k.to_user_string() for k in graph.get_all_asset_keys() if not graph.get(k).description] == []
    specs = {key: graph.get_check_spec(key) for key in graph.asset_check_keys}
    assert [str(key) for key, spec in specs.items() if not spec.description] == []
    relationship = next(s for k, s in specs.items() if k.name.startswith("relationships_kpi_scorecard_kpi"))
    assert relationship.description == (
        "dbt test relationships on kpi (to: ref('kpi_catalogue'), field: kpi), models/marts/_scorecard.yml; "
        "severity error."
    )
