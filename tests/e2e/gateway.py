"""The nginx gateway as a test process: the configuration rendered by scripts/gateway.sh (the same template the
local run and the containers use) and nginx run in the foreground on a free port, logs in files."""
from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import requests

import harness
from harness import REPO, Service

NGINX = "/usr/sbin/nginx"


class Gateway:
    """nginx in front of the given services (`users`, `products`, `orders`, `notifications` -> Service)."""

    def __init__(self, services: dict[str, Service], workdir: Path) -> None:
        self.services = services
        self.workdir = workdir
        self.port = harness.free_port()
        self.state = workdir / f"gateway-state-{self.port}"
        self.stdout_path = workdir / f"gateway-{self.port}.stdout.log"
        self.stderr_path = workdir / f"gateway-{self.port}.stderr.log"
        self.proc: subprocess.Popen | None = None
        self.http = requests.Session()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def render(self) -> Path:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COMANDA_STATE_DIR": str(self.state),
               "GATEWAY_PORT": str(self.port)}
        env.update({f"{name.upper()}_URL": service.url for name, service in self.services.items()})
        if os.environ.get("COMANDA_WEB_ROOT"):
            env["COMANDA_WEB_ROOT"] = os.environ["COMANDA_WEB_ROOT"]
        proc = subprocess.run(["bash", str(REPO / "scripts" / "gateway.sh"), "render"], env=env,
                              capture_output=True, text=True, timeout=30, check=False)
        assert proc.returncode == 0, f"gateway.sh render: {proc.returncode}\n{proc.stderr}"
        return Path(proc.stdout.strip().splitlines()[-1])

    def start(self) -> "Gateway":
        conf = self.render()
        run_dir = conf.parent
        check = subprocess.run([NGINX, "-e", "stderr", "-p", str(run_dir), "-c", str(conf), "-t", "-q"],
                               capture_output=True, text=True, timeout=30, check=False)
        assert check.returncode == 0, f"nginx -t rejected {conf}:\n{check.stderr}"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([NGINX, "-e", "stderr", "-p", str(run_dir), "-c", str(conf),
                                          "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         start_new_session=True)
        harness.wait_for(self._answers, timeout=15, message=f"gateway :{self.port} GET /health")
        return self

    def _answers(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise harness.GiveUp(f"nginx exited with {self.proc.returncode}\n{self.log_tail()}")
        return requests.get(self.url + "/health", timeout=2).status_code == 200

    def stop(self, timeout: float = 15) -> None:
        """SIGQUIT (graceful); nginx must exit 0."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError(f"nginx did not stop within {timeout}s") from None
        assert code == 0, f"nginx exited with {code}\n{self.log_tail()}"

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    # --- HTTP
    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 20)
        return self.http.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    # --- logs
    def access_log(self) -> list[dict]:
        """stdout: one JSON object per request."""
        text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def log_tail(self, lines: int = 30) -> str:
        def tail(path: Path) -> str:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(none)"
        return f"--- {self.stdout_path}\n{tail(self.stdout_path)}\n--- {self.stderr_path}\n{tail(self.stderr_path)}"
