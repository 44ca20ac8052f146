"""`accountgraph demo` as a real process: it serves the workspace, prints its URL and a planner key that signs in
to it and may edit."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.api.support import free_port
from tests.cli.support import REPO, env_of
from tests.web.support import ACCOUNT


def test_the_demo_serves_the_workspace_with_a_planner_key(tmp_path: Path) -> None:
    port = free_port()
    env = {**env_of(f"sqlite:///{tmp_path / 'demo.db'}"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "accountgraph", "demo", "--views", str(tmp_path / "views"), "--port", str(port)]
    proc = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        key = None
        while time.monotonic() < deadline and proc.poll() is None:
            text = "".join(lines)
            found = re.search(r"a planner key for this demo \(shown once\): (ag_\S+)", text)
            if found and f"workspace:     {base}/" in text:
                key = found.group(1)
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        assert key is not None, "".join(lines)[-3000:]
        with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
            form = client.get("/signin")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            signed = client.post("/signin", data={"csrf": token.group(1), "key": key})
            assert signed.status_code == 303, signed.text
            home = client.get("/")
            assert home.status_code == 200 and f'data-account="{ACCOUNT}"' in home.text
            assert "planner key" in home.text
            page = client.get(f"/accounts/{ACCOUNT}")
            assert 'data-can-edit="1"' in page.text
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        reader.join(10)
