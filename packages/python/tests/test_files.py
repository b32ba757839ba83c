"""write_file/read_file/list_files/push/pull, inline and through the transfer channel."""

from __future__ import annotations

import os

import pytest

from pocketdock import FileError, FileNotFound, InvalidParams, ContainerError


def test_write_and_read_text_and_bytes(container):
    container.write_file("/home/sandbox/t.txt", "héllo\n")
    assert container.read_file("/home/sandbox/t.txt") == "héllo\n".encode()
    container.write_file("/home/sandbox/b.bin", bytes(range(256)))
    assert container.read_file("/home/sandbox/b.bin") == bytes(range(256))
    container.write_file("/home/sandbox/t.txt", "over")
    assert container.read_file("/home/sandbox/t.txt") == b"over"
    assert container.run("stat -c %U /home/sandbox/t.txt").stdout == "sandbox\n"


def test_large_content_goes_through_a_transfer(container):
    data = os.urandom(3 * 1024 * 1024)
    container.write_file("/tmp/big", data)
    assert container.read_file("/tmp/big") == data


def test_relative_paths_are_taken_from_the_home_directory(container):
    container.write_file("rel.txt", "r")
    assert container.read_file("/home/sandbox/rel.txt") == b"r"


def test_list_files_defaults_to_home(container):
    container.run("mkdir -p /home/sandbox/listed/sub && touch /home/sandbox/listed/.hidden /home/sandbox/listed/f")
    assert "listed/" in container.list_files()
    assert sorted(container.list_files("/home/sandbox/listed")) == [".hidden", "f", "sub/"]


def test_missing_paths_and_directories_raise_typed_errors(container):
    with pytest.raises(FileNotFound) as err:
        container.read_file("/nope/nothing")
    assert err.value.path == "/nope/nothing" and err.value.container_id == container.container_id
    assert isinstance(err.value, FileError) and isinstance(err.value, ContainerError)
    with pytest.raises(FileError):
        container.read_file("/home")
    with pytest.raises(FileNotFound):
        container.write_file("/no/such/dir/f", "x")
    with pytest.raises(InvalidParams) as bad:
        container.read_file("/")
    assert bad.value.field == "path"


def test_push_and_pull_a_tree(container, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("A")
    (src / "sub" / "b.bin").write_bytes(b"\0B")
    os.symlink("a.txt", src / "link")
    container.push(src, "/home/sandbox/pushed")
    assert container.run("cat pushed/a.txt pushed/sub/b.bin | od -c | head -1; readlink pushed/link").ok
    assert container.read_file("/home/sandbox/pushed/sub/b.bin") == b"\0B"
    container.run("echo C > /home/sandbox/pushed/c.txt")
    container.pull("/home/sandbox/pushed", tmp_path / "back")
    back = tmp_path / "back"
    assert (back / "a.txt").read_text() == "A" and (back / "c.txt").read_text() == "C\n"
    assert (back / "sub" / "b.bin").read_bytes() == b"\0B" and os.readlink(back / "link") == "a.txt"


def test_push_and_pull_a_single_file(container, tmp_path):
    (tmp_path / "one").write_text("1")
    container.push(tmp_path / "one", "/tmp/renamed")
    assert container.read_file("/tmp/renamed") == b"1"
    container.pull("/tmp/renamed", tmp_path / "again")
    assert (tmp_path / "again").read_text() == "1"


def test_pull_leaves_out_links_that_lead_outside(container, tmp_path):
    container.run("mkdir -p /tmp/evil && ln -sf /etc/passwd /tmp/evil/out && ln -sf ../../x /tmp/evil/up && echo ok > /tmp/evil/f")
    container.pull("/tmp/evil", tmp_path / "evil")
    assert sorted(os.listdir(tmp_path / "evil")) == ["f"]


def test_push_of_a_missing_source_fails_before_any_call(container, tmp_path):
    with pytest.raises(FileNotFoundError):
        container.push(tmp_path / "missing", "/tmp/x")
