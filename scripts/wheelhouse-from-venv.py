"""Packs the installed distributions that `tooln1[train]` needs (and pip, setuptools) from this
interpreter's environment into wheels in OUT, so "Set up Training Environment" can be tested for real
and offline (`PIP_NO_INDEX=1 PIP_FIND_LINKS=OUT`). Wheels are stored uncompressed: fast to write and
to install. Usage: python scripts/wheelhouse-from-venv.py OUT"""

import base64
import hashlib
import importlib.metadata as md
import os
import re
import sys
import zipfile

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def closure(root: str, extras: list[str]) -> dict[str, md.Distribution]:
    dists = {canonicalize_name(d.metadata["Name"]): d for d in md.distributions()}
    out: dict[str, md.Distribution] = {}
    todo = [(root, extras)]
    env = default_environment()
    while todo:
        name, ex = todo.pop()
        d = dists.get(canonicalize_name(name))
        if d is None:
            raise SystemExit(f"{name} is not installed in {sys.prefix}")
        key = canonicalize_name(name)
        if key in out and not ex:
            continue
        out[key] = d
        for r in d.requires or []:
            req = Requirement(r)
            if req.marker and not any(req.marker.evaluate({**env, "extra": e}) for e in (ex or [""])):
                continue
            todo.append((req.name, sorted(req.extras)))
    return out


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def pack(d: md.Distribution, out_dir: str) -> str:
    name = re.sub(r"[-.]+", "_", d.metadata["Name"])
    version = d.version
    wheel_meta = d.read_text("WHEEL") or ""
    tags = [t.strip() for t in re.findall(r"^Tag: *(.+)$", wheel_meta, re.M)] or ["py3-none-any"]
    py, abi, plat = (".".join(sorted({t.split("-")[i] for t in tags})) for i in range(3))
    path = os.path.join(out_dir, f"{name}-{version}-{py}-{abi}-{plat}.whl")
    if os.path.exists(path):
        return path
    site = str(d.locate_file(""))
    info = f"{name}-{version}.dist-info"
    records = []
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        for f in d.files or []:
            full = os.path.normpath(os.path.join(site, str(f)))
            rel = os.path.relpath(full, site)
            if rel.startswith("..") or "__pycache__" in rel or not os.path.isfile(full):
                continue  # scripts are regenerated from entry_points.txt; caches are rebuilt
            top = rel.split(os.sep)[0]
            if top.endswith(".dist-info"):
                base = os.path.basename(rel)
                if base in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
                    continue
                arc = f"{info}/{os.path.relpath(full, os.path.join(site, top))}"
            else:
                arc = rel.replace(os.sep, "/")
            with open(full, "rb") as fh:
                data = fh.read()
            z.writestr(arc, data)
            records.append(f"{arc},{record_hash(data)},{len(data)}")
        records.append(f"{info}/RECORD,,")
        z.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    os.replace(tmp, path)
    return path


def main() -> int:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    dists = closure("tooln1", ["train"])
    dists.pop("tooln1")
    for extra in ("pip", "setuptools"):
        dists.update(closure(extra, []))
    for key in sorted(dists):
        print(os.path.basename(pack(dists[key], out)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
