"""The installed package: one abi3 module, type stubs that match it (mypy's stubtest),
docstrings, and signatures with their real defaults."""

import ast
import inspect
import pathlib
import subprocess
import sys

import nshed
import nshed._nshed


def package_dir():
    return pathlib.Path(nshed.__file__).parent


def stub_names():
    tree = ast.parse((package_dir() / "_nshed.pyi").read_text())
    top, model = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        if isinstance(node, ast.ClassDef) and node.name == "Model":
            model = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return top, model


def test_one_abi3_extension_with_stubs_and_py_typed():
    assert (package_dir() / "py.typed").exists()
    assert (package_dir() / "_nshed.pyi").exists()
    [native] = [p.name for p in package_dir().iterdir() if p.name.startswith("_nshed.") and p.suffix in (".so", ".pyd")]
    # One wheel for every CPython >= 3.9: the stable ABI's file name, not a per-version one.
    assert native in ("_nshed.abi3.so", "_nshed.pyd"), native


def test_the_stubs_cover_the_module_and_nothing_else():
    top, model = stub_names()
    public = {n for n in nshed.__all__ if not n.startswith("__")}
    assert public <= top
    members = {n for n in dir(nshed.Model) if not n.startswith("__")}
    assert members == {n for n in model if not n.startswith("__")}


def test_stubtest_passes():
    # mypy's stubtest compares the stubs with the runtime module: names, signatures and
    # defaults.
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "nshed"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The package, its native module and the scikit-learn estimator.
    assert "no issues found in 3 modules" in result.stdout


def test_every_function_has_a_docstring():
    assert nshed.__doc__ and "neurashed" in nshed.__doc__
    for name in ["load", "loads", "restore", "Model", "NshedError"]:
        assert getattr(nshed, name).__doc__, name
    for name in dir(nshed.Model):
        if name.startswith("_") and name != "_repr_svg_":
            continue
        assert getattr(nshed.Model, name).__doc__, name


def test_signatures_show_their_real_defaults():
    sig = inspect.signature(nshed.Model.train)
    assert list(sig.parameters) == ["self", "steps"]
    assert sig.parameters["steps"].default is None
    assert inspect.signature(nshed.load).parameters["seed"].default is None
    assert inspect.signature(nshed.loads).parameters["name"].default == "<string>"
    assert inspect.signature(nshed.Model.regularize).parameters["batches"].default == (1, 8)
    assert inspect.signature(nshed.Model.depth).parameters["init"].default == (
        "const",
        "uniform",
        "normal",
        "lognormal",
    )
    assert inspect.signature(nshed.Model.accuracy).parameters["on"].default == "data"
    assert inspect.signature(nshed.Model.fool).parameters["state"].default == "current"
    # No `Ellipsis` anywhere in what help() shows.
    for name, member in inspect.getmembers(nshed.Model):
        if callable(member) and getattr(member, "__text_signature__", None):
            for p in inspect.signature(member).parameters.values():
                assert p.default is not Ellipsis, (name, p)
    import pydoc

    text = pydoc.render_doc(nshed.Model, renderer=pydoc.plaintext)
    assert "Ellipsis" not in text and "=..." not in text
    assert "regularize(self, batches=(1, 8), *, steps=None, seed=None)" in text
