"""Finding deck files: `discover` walks the deck directories with os.scandir and finds exactly the
files `sorted(directory.rglob("*.yaml"))` found (hidden ones too, linked directories not
entered, each file once by its resolved path), on random trees of folders, links and odd files."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from dlquiz.decks.files import discover


def rglob_discover(dirs) -> list[Path]:
    """What discover did before it walked with os.scandir."""
    files, seen = [], set()
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.yaml")):
            resolved = path.resolve()
            if resolved not in seen and not path.is_dir():
                seen.add(resolved)
                files.append(path)
    return files


def random_tree(root: Path, rng: random.Random) -> list[Path]:
    """A tree of deck folders: nested and hidden folders, *.yaml files and others, links to
    files and to folders (inside the tree and out), broken links, a folder and a pipe named
    *.yaml. Returns the folders made."""
    outside = root / "outside"
    outside.mkdir()
    (outside / "far.yaml").write_text("x")
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.yaml").write_text("x")
    folders = [root / "cards"]
    folders[0].mkdir()
    names = ["a", "b", "B", ".hidden", "c1w1", "z", "a-b", "a.b"]
    for _ in range(rng.randint(5, 30)):
        parent = rng.choice(folders)
        name = rng.choice(names) + rng.choice(["", "1", "_x"])
        path = parent / (name + rng.choice([".yaml", ".yaml", ".yml", ".YAML", "", ".yaml.bak"]))
        if path.exists() or path.is_symlink():
            continue
        kind = rng.choice(["file", "file", "file", "folder", "folder", "link file", "link folder", "broken", "fifo"])
        if kind == "file":
            path.write_text("x")
        elif kind == "folder":
            path.mkdir()
            folders.append(path)
        elif kind == "link file":
            targets = [p for p in root.rglob("*") if p.is_file()] or [outside / "far.yaml"]
            path.symlink_to(rng.choice(targets))
        elif kind == "link folder":
            path.symlink_to(rng.choice(folders + [outside / "sub"]), target_is_directory=True)
        elif kind == "broken":
            path.symlink_to(root / "nowhere" / name)
        elif hasattr(os, "mkfifo"):
            os.mkfifo(path)
    return folders


@pytest.mark.parametrize("seed", range(40))
def test_discover_finds_what_rglob_found(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / "tree"
    root.mkdir()
    folders = random_tree(root, rng)
    cases = [[folders[0]], [folders[0], folders[0]], rng.sample(folders, min(3, len(folders))),
             [root / "missing", folders[-1], root / "outside"]]
    for dirs in cases:
        assert discover(dirs) == rglob_discover(dirs), dirs


def test_discover_skips_an_unreadable_folder_as_rglob_did(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    (tmp_path / "a.yaml").write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.yaml").write_text("x")
    locked.chmod(0)
    try:
        assert discover([tmp_path]) == rglob_discover([tmp_path]) == [tmp_path / "a.yaml"]
    finally:
        locked.chmod(0o755)
