"""Drawings: SVG text, and a model that displays itself in Jupyter."""

import xml.dom.minidom

import nshed


def test_repr_svg_is_the_drawing(fig1):
    svg = fig1._repr_svg_()
    assert svg == fig1.draw()
    doc = xml.dom.minidom.parseString(svg)
    assert doc.documentElement.tagName == "svg"
    texts = {t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild}
    for name in fig1.nodes + fig1.classes:
        assert name in texts, name


def test_an_input_is_highlighted(fig1):
    plain = fig1.draw()
    c2 = fig1.draw("c2")
    assert c2 != plain
    assert "c2" in c2
    assert fig1.draw(["e3", "e4", "e5"]) != plain


def test_the_drawing_follows_the_state(fig1):
    before = fig1.draw()
    fig1.train(20)
    assert fig1.draw() != before
