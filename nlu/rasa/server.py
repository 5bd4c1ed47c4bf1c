"""Install, train, serve and stop the Rasa 3.6 NLU server that runs in its own venv."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from nlu.rasa import data as rasa_data

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG = PACKAGE_DIR / "config.yml"
CONSTRAINTS = PACKAGE_DIR / "constraints.txt"
MPLSETUP = PACKAGE_DIR / "mplsetup.cfg"
SOURCE_DATA = ROOT / "nlu" / "data" / "nlu.yml"
TEST_DATA = ROOT / "nlu" / "data" / "test_nlu.yml"

RASA_VERSION = "3.6.21"
APT_PACKAGES = ("libfreetype-dev", "libpng-dev", "libqhull-dev", "pkg-config")
# Requirements of Rasa marked python_version < "3.11": skipped by pip on 3.11 (spec, step 3).
PY310_ONLY_REQUIREMENTS = (
    "dask==2022.10.2",
    "scikit-learn>=0.22,<1.2",
    "scipy>=1.10,<1.11",
    "numpy<1.24",
)
DEFAULT_PORT = 5005
READY_TIMEOUT = 300.0
MODEL_PREFIX = "nlu-"


class RasaError(RuntimeError):
    """A step of the Rasa server's life cycle failed; the message says what to do."""


@dataclass(frozen=True)
class Paths:
    """Where the Rasa venv and artefacts live (overridable for tests)."""

    venv: Path = ROOT / ".venv-rasa"
    var: Path = ROOT / "var" / "rasa"

    @property
    def rasa(self) -> Path:
        """The rasa executable of the venv."""
        return self.venv / "bin" / "rasa"

    @property
    def python(self) -> Path:
        """The python of the venv."""
        return self.venv / "bin" / "python"

    @property
    def stamp(self) -> Path:
        """The install stamp, keyed by the recipe."""
        return self.venv / ".salescoach-rasa-recipe"

    @property
    def data_dir(self) -> Path:
        """Rasa-ready copies of the NLU files."""
        return self.var / "data"

    @property
    def models(self) -> Path:
        """Trained models and their stamps."""
        return self.var / "models"

    @property
    def run(self) -> Path:
        """Pid files of running servers."""
        return self.var / "run"

    @property
    def logs(self) -> Path:
        """Install, train and server logs."""
        return self.var / "logs"

    @property
    def results(self) -> Path:
        """Reports of ``rasa test nlu``."""
        return self.var / "results"


def default_paths() -> Paths:
    """Return the paths, honouring SALESCOACH_RASA_VENV and SALESCOACH_RASA_VAR."""
    venv = os.environ.get("SALESCOACH_RASA_VENV")
    var = os.environ.get("SALESCOACH_RASA_VAR")
    return Paths(
        venv=Path(venv) if venv else ROOT / ".venv-rasa",
        var=Path(var) if var else ROOT / "var" / "rasa",
    )


def rasa_env(paths: Paths) -> dict[str, str]:
    """Return the environment for every Rasa command: telemetry off, quiet TensorFlow."""
    env = dict(os.environ)
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "MPLSETUPCFG": str(MPLSETUP),
            "MPLBACKEND": "Agg",
            "RASA_MAX_CACHE_SIZE": "0",
            "PATH": f"{paths.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
    )
    return env


@contextlib.contextmanager
def locked(paths: Paths, name: str) -> Iterator[None]:
    """Hold an exclusive file lock, so that concurrent installs or trainings wait for each other."""
    paths.run.mkdir(parents=True, exist_ok=True)
    with (paths.run / f"{name}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say(f"waiting for another {name} to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _say(message: str) -> None:
    """Print one progress line."""
    print(f"→ {message}", flush=True)


def _run(cmd: list[str], paths: Paths, log_name: str, cwd: Path | None = None) -> float:
    """Run a command with its output appended to a log; raise RasaError with the tail on failure."""
    paths.logs.mkdir(parents=True, exist_ok=True)
    log_path = paths.logs / log_name
    started = time.perf_counter()
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(cmd)}\n")
        log.flush()
        code = subprocess.call(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=rasa_env(paths),
            cwd=str(cwd or paths.var),
        )
    if code != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise RasaError(f"command failed ({code}): {' '.join(cmd)}\n--- {log_path} ---\n{tail}")
    return time.perf_counter() - started


# ---------------------------------------------------------------- install


def base_python() -> str:
    """Return the machine's Python 3.11 that creates the Rasa venv (RASA_PYTHON overrides)."""
    found = os.environ.get("RASA_PYTHON") or shutil.which("python3.11")
    if not found:
        raise RasaError("python3.11 not found: install it or set RASA_PYTHON")
    return found


def recipe_key() -> str:
    """Hash everything the install depends on: a change means a fresh venv."""
    digest = hashlib.sha256()
    for part in (
        RASA_VERSION,
        CONSTRAINTS.read_text(encoding="utf-8"),
        MPLSETUP.read_text(encoding="utf-8"),
        json.dumps([APT_PACKAGES, PY310_ONLY_REQUIREMENTS]),
        "telemetry-off",
    ):
        digest.update(part.encode())
    return digest.hexdigest()[:16]


def is_installed(paths: Paths) -> bool:
    """Say whether the venv was fully installed with the current recipe."""
    return (
        paths.rasa.exists()
        and paths.stamp.exists()
        and paths.stamp.read_text(encoding="utf-8").strip() == recipe_key()
    )


def missing_apt_packages() -> list[str]:
    """Return the system packages of step 1 that are not installed."""
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for package in APT_PACKAGES:
        probe = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in probe.stdout:
            missing.append(package)
    return missing


def _as_root(cmd: list[str]) -> list[str]:
    """Prefix a command with sudo when not root."""
    if os.geteuid() == 0:
        return cmd
    if not shutil.which("sudo"):
        raise RasaError(f"needs root for: {' '.join(cmd)} (no sudo found)")
    return ["sudo", "-n", *cmd]


def install_apt(paths: Paths) -> None:
    """Install the build packages of matplotlib 3.5 when missing (spec, step 1)."""
    missing = missing_apt_packages()
    if not missing:
        return
    _say(f"apt-get install {' '.join(missing)}")
    env_cmd = ["env", "DEBIAN_FRONTEND=noninteractive"]
    _run(_as_root([*env_cmd, "apt-get", "update", "-qq"]), paths, "install.log")
    _run(
        _as_root([*env_cmd, "apt-get", "install", "-y", "-qq", *missing]),
        paths,
        "install.log",
    )


def install(paths: Paths | None = None, force: bool = False) -> bool:
    """Create .venv-rasa with Rasa 3.6.21 (spec steps 1-4); return False when already done."""
    paths = paths or default_paths()
    if is_installed(paths) and not force:
        return False
    with locked(paths, "install"):
        if is_installed(paths) and not force:
            return False
        return _install(paths, force)


def _install(paths: Paths, force: bool) -> bool:
    """Run the install steps (under the install lock)."""
    started = time.perf_counter()
    paths.var.mkdir(parents=True, exist_ok=True)
    install_apt(paths)
    if paths.stamp.exists() or force:
        _say(f"recipe changed: removing {paths.venv}")
        shutil.rmtree(paths.venv, ignore_errors=True)
    if not paths.python.exists():
        _say(f"creating {paths.venv} with {base_python()}")
        _run([base_python(), "-m", "venv", str(paths.venv)], paths, "install.log")
    pip = [str(paths.python), "-m", "pip", "install", "--prefer-binary", "-c", str(CONSTRAINTS)]
    _say(f"pip install rasa=={RASA_VERSION} (a few minutes; log: {paths.logs / 'install.log'})")
    _run([*pip, "--ignore-requires-python", f"rasa=={RASA_VERSION}"], paths, "install.log")
    _say("pip install the python<3.11-only requirements of Rasa")
    _run([*pip, *PY310_ONLY_REQUIREMENTS], paths, "install.log")
    _run([str(paths.rasa), "telemetry", "disable"], paths, "install.log")
    version = installed_version(paths)
    if version != RASA_VERSION:
        raise RasaError(f"rasa --version reports {version!r}, expected {RASA_VERSION}")
    paths.stamp.write_text(recipe_key() + "\n", encoding="utf-8")
    _say(f"Rasa {version} installed in {time.perf_counter() - started:.0f} s")
    return True


def installed_version(paths: Paths) -> str | None:
    """Return the version of the installed rasa package, without importing it."""
    probe = subprocess.run(
        [
            str(paths.python),
            "-c",
            "import importlib.metadata as m; print(m.version('rasa'))",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=rasa_env(paths),
    )
    return (probe.stdout.strip() or None) if probe.returncode == 0 else None


def require_installed(paths: Paths) -> None:
    """Install the venv when it is missing or outdated."""
    install(paths)


# ---------------------------------------------------------------- train


def model_key(paths: Paths) -> str:
    """Hash the Rasa-ready data, the pipeline and the Rasa version."""
    training = paths.data_dir / "nlu.yml"
    digest = hashlib.sha256()
    digest.update(training.read_bytes())
    digest.update(CONFIG.read_bytes())
    digest.update(RASA_VERSION.encode())
    digest.update(rasa_data.describe().encode())
    return digest.hexdigest()[:16]


def export_training_data(paths: Paths, source: Path = SOURCE_DATA) -> Path:
    """Write var/rasa/data/nlu.yml from the bot's nlu.yml."""
    return rasa_data.export(source, paths.data_dir / "nlu.yml")


def model_path(paths: Paths, key: str) -> Path:
    """Return the model archive of a data and config hash."""
    return paths.models / f"{MODEL_PREFIX}{key}.tar.gz"


def current_model(paths: Paths) -> Path | None:
    """Return the model trained from the current data and config, if any."""
    export_training_data(paths)
    path = model_path(paths, model_key(paths))
    stamp = path.with_suffix("").with_suffix(".json")
    return path if path.exists() and stamp.exists() else None


def model_info(model: Path) -> dict[str, Any]:
    """Return the training stamp of a model (seconds, examples, trained_at)."""
    stamp = model.with_suffix("").with_suffix(".json")
    try:
        return json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def train(paths: Paths | None = None, force: bool = False) -> Path:
    """Train the NLU model unless one exists for the same data and config; return it."""
    paths = paths or default_paths()
    require_installed(paths)
    with locked(paths, "train"):
        return _train(paths, force)


def _train(paths: Paths, force: bool) -> Path:
    """Export the data and train when needed (under the train lock)."""
    training = export_training_data(paths)
    key = model_key(paths)
    target = model_path(paths, key)
    stamp = target.with_suffix("").with_suffix(".json")
    if target.exists() and stamp.exists() and not force:
        _say(f"model up to date: {target.relative_to(paths.var.parent.parent)}")
        return target
    paths.models.mkdir(parents=True, exist_ok=True)
    _say(f"rasa train nlu ({CONFIG.name}; log: {paths.logs / 'train.log'})")
    seconds = _run(
        [
            str(paths.rasa),
            "train",
            "nlu",
            "--nlu",
            str(training),
            "--config",
            str(CONFIG),
            "--out",
            str(paths.models),
            "--fixed-model-name",
            target.name.removesuffix(".tar.gz"),
        ],
        paths,
        "train.log",
    )
    if not target.exists():
        raise RasaError(f"rasa train nlu finished but {target} is missing (see train.log)")
    examples = sum(
        1
        for line in training.read_text(encoding="utf-8").split("- lookup:")[0].splitlines()
        if line.startswith("    - ")
    )
    stamp.write_text(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "examples": examples,
                "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "rasa": RASA_VERSION,
            }
        ),
        encoding="utf-8",
    )
    for old in paths.models.glob(f"{MODEL_PREFIX}*"):
        if old not in (target, stamp):
            old.unlink(missing_ok=True)
    _say(f"model trained in {seconds:.0f} s: {target.name}")
    return target


# ---------------------------------------------------------------- serve / stop / status


def pid_file(paths: Paths, port: int) -> Path:
    """Return the pid file of the server on a port."""
    return paths.run / f"rasa-{port}.pid"


def _info_file(paths: Paths, port: int) -> Path:
    """Return the JSON details of the server on a port."""
    return paths.run / f"rasa-{port}.json"


def _alive(pid: int, port: int | None = None) -> bool:
    """Say whether a pid is a live (not zombie) Rasa process, serving ``port`` when given."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    if port is not None and f" -p {port}".encode() not in cmdline:
        return False
    return b"rasa" in cmdline and "State:\tZ" not in status


def read_pid(paths: Paths, port: int) -> int | None:
    """Return the pid of our live server on a port, if any."""
    try:
        pid = int(pid_file(paths, port).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid, port) else None


def ready(url: str, timeout: float = 2.0) -> bool:
    """Say whether the server at url has a model loaded (GET /status answers 200)."""
    try:
        return httpx.get(f"{url}/status", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_rss(pid: int) -> int:
    """Return the resident memory of a process and its children, in bytes (from /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.append(int(child))
    for each in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM it when the process that started it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def serve(
    port: int = DEFAULT_PORT,
    paths: Paths | None = None,
    timeout: float = READY_TIMEOUT,
    owned: bool = False,
) -> int:
    """Start ``rasa run --enable-api`` on 127.0.0.1:port in the background; return its pid.

    With ``owned`` (tests, bench) the server also dies with the calling process, so a killed
    test run leaves no server behind; ``python -m nlu.rasa serve`` detaches it.
    """
    paths = paths or default_paths()
    model = train(paths)
    url = f"http://127.0.0.1:{port}"
    pid = read_pid(paths, port)
    if pid is not None:
        info = _read_info(paths, port)
        if info.get("model") == model.name and ready(url):
            _say(f"server already running: pid {pid}, {url}")
            return pid
        stop(port, paths)
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise RasaError(f"port {port} is already in use by another process")
    paths.run.mkdir(parents=True, exist_ok=True)
    paths.logs.mkdir(parents=True, exist_ok=True)
    log_path = paths.logs / f"server-{port}.log"
    cmd = [
        str(paths.rasa),
        "run",
        "--enable-api",
        "-m",
        str(paths.models),
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    _say(f"rasa run on {url} (log: {log_path})")
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=rasa_env(paths),
            cwd=str(paths.var),
            start_new_session=True,
            preexec_fn=_die_with_parent if owned else None,
        )
    pid_file(paths, port).write_text(f"{process.pid}\n")
    _info_file(paths, port).write_text(
        json.dumps({"pid": process.pid, "port": port, "url": url, "model": model.name})
    )
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            _cleanup(paths, port)
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
            raise RasaError(f"rasa run exited with {process.returncode}\n{tail}")
        if ready(url, timeout=1.0):
            _say(f"server ready in {time.perf_counter() - started:.0f} s: pid {process.pid}")
            return process.pid
        time.sleep(0.5)
    stop(port, paths)
    raise RasaError(f"rasa run did not answer on {url} within {timeout:.0f} s (see {log_path})")


def _read_info(paths: Paths, port: int) -> dict[str, Any]:
    """Return the JSON details of a server, or {}."""
    try:
        return json.loads(_info_file(paths, port).read_text())
    except (OSError, ValueError):
        return {}


def _cleanup(paths: Paths, port: int) -> None:
    """Remove the pid and info files of a port."""
    pid_file(paths, port).unlink(missing_ok=True)
    _info_file(paths, port).unlink(missing_ok=True)


def running_ports(paths: Paths) -> list[int]:
    """Return the ports that have a pid file."""
    ports = []
    for path in sorted(paths.run.glob("rasa-*.pid")):
        with contextlib.suppress(ValueError):
            ports.append(int(path.stem.removeprefix("rasa-")))
    return ports


def stop(port: int | None = None, paths: Paths | None = None, grace: float = 15.0) -> list[int]:
    """Stop our server on a port (every one we started when port is None); return the pids."""
    paths = paths or default_paths()
    stopped = []
    for each in [port] if port is not None else running_ports(paths):
        pid = read_pid(paths, each)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            stopped.append(pid)
        _cleanup(paths, each)
    return stopped


def status(paths: Paths | None = None) -> dict[str, Any]:
    """Describe the install, the model and the running servers."""
    paths = paths or default_paths()
    report: dict[str, Any] = {
        "venv": str(paths.venv),
        "installed": is_installed(paths),
        "rasa_version": installed_version(paths) if paths.python.exists() else None,
    }
    model = current_model(paths) if SOURCE_DATA.exists() else None
    report["model"] = str(model) if model else None
    if model:
        report["model_bytes"] = model.stat().st_size
        report["training"] = model_info(model)
    servers = []
    for port in running_ports(paths):
        pid = read_pid(paths, port)
        if pid is None:
            _cleanup(paths, port)  # the server died (or was killed with its owner)
            continue
        url = f"http://127.0.0.1:{port}"
        servers.append(
            {
                "port": port,
                "pid": pid,
                "url": url,
                "ready": ready(url),
                "rss_bytes": process_rss(pid),
                "model": _read_info(paths, port).get("model"),
            }
        )
    report["servers"] = servers
    return report


# ---------------------------------------------------------------- rasa test nlu


def export_test_data(paths: Paths, source: Path = TEST_DATA) -> Path:
    """Write the Rasa-ready copy of the held-out test file (no lookups, no regexes)."""
    return rasa_data.export(source, paths.data_dir / "test_nlu.yml", with_features=False)


def rasa_test(paths: Paths | None = None, source: Path = TEST_DATA) -> dict[str, Any]:
    """Run ``rasa test nlu`` on the test copy; return its intent report figures."""
    paths = paths or default_paths()
    train(paths)
    test_copy = export_test_data(paths, source)
    shutil.rmtree(paths.results, ignore_errors=True)
    _say(f"rasa test nlu (log: {paths.logs / 'test.log'})")
    seconds = _run(
        [
            str(paths.rasa),
            "test",
            "nlu",
            "--nlu",
            str(test_copy),
            "-m",
            str(paths.models),
            "--out",
            str(paths.results),
        ],
        paths,
        "test.log",
    )
    report = json.loads((paths.results / "intent_report.json").read_text(encoding="utf-8"))
    entities: dict[str, Any] = {}
    diet = paths.results / "DIETClassifier_report.json"
    if diet.exists():
        entities = json.loads(diet.read_text(encoding="utf-8"))
    return {
        "intent_accuracy": float(report["accuracy"]),
        "intent_macro_f1": float(report["macro avg"]["f1-score"]),
        "entity_report": entities,
        "seconds": seconds,
        "results": str(paths.results),
    }
