"""Builds the cobalt package with one addition: cobalt/_source.py records the source tree the
package was built from, so an installed package finds that tree's build/libcobalt.so and
tools/ (cobalt/_lib.py). Everything else is in pyproject.toml."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BuildPy(build_py):
    def run(self):
        super().run()
        path = os.path.join(self.build_lib, "cobalt", "_source.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write('"""Written by python/setup.py: the cobalt source tree this package was built from."""\n')
            f.write(f"SOURCE_DIR = {SOURCE_DIR!r}\n")


setup(cmdclass={"build_py": BuildPy})
