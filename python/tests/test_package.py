"""The installed package: type stubs, docstrings, and the public names."""

import ast
import pathlib

import nshed


def package_dir():
    return pathlib.Path(nshed.__file__).parent


def stub_names():
    tree = ast.parse((package_dir() / "__init__.pyi").read_text())
    top, model = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        if isinstance(node, ast.ClassDef) and node.name == "Model":
            model = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return top, model


def test_stubs_and_py_typed_are_installed():
    assert (package_dir() / "py.typed").exists()
    assert (package_dir() / "__init__.pyi").exists()


def test_the_stubs_cover_the_module_and_nothing_else():
    top, model = stub_names()
    public = {n for n in nshed.__all__ if not n.startswith("__")}
    assert public <= top
    members = {n for n in dir(nshed.Model) if not n.startswith("__")}
    assert members == {n for n in model if not n.startswith("__")}


def test_every_function_has_a_docstring():
    assert nshed.__doc__ and "neurashed" in nshed.__doc__
    for name in ["load", "loads", "restore", "Model", "NshedError"]:
        assert getattr(nshed, name).__doc__, name
    for name in dir(nshed.Model):
        if name.startswith("_") and name != "_repr_svg_":
            continue
        assert getattr(nshed.Model, name).__doc__, name


def test_signatures_are_visible_to_help():
    import inspect

    sig = inspect.signature(nshed.Model.train)
    assert list(sig.parameters) == ["self", "steps"]
    assert sig.parameters["steps"].default is None
    assert "seed" in inspect.signature(nshed.load).parameters
