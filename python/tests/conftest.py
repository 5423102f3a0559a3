"""Shared models for the tests of the nshed Python package."""

import pathlib

import pytest

import nshed

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

# Model fig1 of the worked numbers: lambda = eta = 1, grow = mul 1.1, shrink = mul 0.9,
# no jitter, no noise, the four samples of the local-elasticity table, no `train` block.
FIG1 = """
model fig1 {
  level input { e1 e2 e3 e4 e5 e6 e7 }
  level parts {
    m1 = any(e1, e2, e3)
    m2 = all(e3, e4)
    m3 = atleast 2 of (e4, e5, e6)
    m4 = any(e6, e7)
  }
  level wholes {
    t1 = any(m1, m2)
    t2 = all(m2, m3)
    t3 = atleast 2 of (m3, m4)
  }
  classes {
    c1 <- t1
    c2 <- t1, t2
    c3 <- t3
  }
}

rules {
  grow = mul 1.1
  shrink = mul 0.9
}

data {
  c1a: e1 e2 -> c1
  c1b: e2 e3 -> c1
  c2:  e3 e4 e5 -> c2
  c3:  e5 e6 e7 -> c3
}
"""


def fig1_with(train_block: str = "", extra: str = "") -> str:
    """FIG1 with a `train` block (and anything else) appended."""
    return FIG1 + extra + "\n" + train_block


@pytest.fixture
def fig1():
    return nshed.loads(FIG1, "fig1.nshed")


@pytest.fixture
def fig1_file():
    """The repository's examples/fig1.nshed (a schedule of 5100 steps, jitter, noise)."""
    return str(EXAMPLES / "fig1.nshed")
