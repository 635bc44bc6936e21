"""One measured operation of a peer tool, in a process of its own (its peak RSS is its own). Prints one JSON line.

  python peers_once.py dvc-init REPO              dvc init --no-scm, with DVC's site cache inside REPO
  python peers_once.py dvc-add REPO DIRNAME       `dvc add DIRNAME` (again: DVC's re-add of a changed folder)
  python peers_once.py wandb-add DIR              wandb.Artifact(...).add_dir(DIR), offline, manifest built locally

Timing covers the tool's own call only (after imports), as ours covers logArtifact only. The check that follows,
outside the timing, re-hashes every cached/staged copy and lists each file's MD5 for the caller to compare.
"""
import base64
import hashlib
import json
import os
import resource
import sys
import time


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(8 << 20)
            if not chunk:
                return h.hexdigest()
            h.update(chunk)


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def dvc_init(repo):
    from dvc.cli import main

    os.chdir(repo)
    rc = main(["init", "--no-scm", "-q"])
    rc = rc or main(["config", "core.site_cache_dir", os.path.join(repo, ".dvc-site-cache"), "-q"])
    print(json.dumps({"rc": rc}))


def dvc_add(repo, dirname):
    from dvc.cli import main

    os.chdir(repo)
    started = time.perf_counter()
    rc = main(["add", dirname, "-q"])
    seconds = time.perf_counter() - started
    rss = peak_rss_kib()
    if rc != 0:
        raise SystemExit(f"dvc add {dirname} failed with {rc}")
    with open(f"{dirname}.dvc") as f:
        dir_md5 = next(line.split(":", 1)[1].strip() for line in f if line.strip().startswith("- md5:") or line.strip().startswith("md5:"))
    cache = os.path.join(repo, ".dvc", "cache", "files", "md5")
    with open(os.path.join(cache, dir_md5[:2], dir_md5[2:])) as f:
        listing = json.load(f)
    files, bad = {}, []
    for item in listing:
        cached = os.path.join(cache, item["md5"][:2], item["md5"][2:])
        if not os.path.exists(cached) or md5_file(cached) != item["md5"]:
            bad.append(item["relpath"])
        files[item["relpath"]] = item["md5"]
    print(json.dumps({"seconds": seconds, "maxRssKiB": rss, "verified": not bad, "checked": len(files), "bad": bad[:5], "files": files}))


def wandb_add(directory):
    import wandb

    started = time.perf_counter()
    artifact = wandb.Artifact("bench", "dataset")
    artifact.add_dir(directory)
    entries = artifact.manifest.entries
    seconds = time.perf_counter() - started
    rss = peak_rss_kib()
    files, bad = {}, []
    for name, entry in entries.items():
        md5 = base64.b64decode(entry.digest).hex()
        if not entry.local_path or not os.path.exists(entry.local_path) or md5_file(entry.local_path) != md5:
            bad.append(name)
        files[name] = md5
    print(json.dumps({"seconds": seconds, "maxRssKiB": rss, "verified": not bad, "checked": len(files), "bad": bad[:5], "files": files}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"dvc-init": dvc_init, "dvc-add": dvc_add, "wandb-add": wandb_add}[command](*args)
