"""Packs migrations/ and static/ into the wheel as app/migrations and app/static.

They sit beside the package in the repository (where the contract puts them); a wheel must carry
them inside it so that `pip install .` gives a working server. Everything else is in pyproject.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

_DATA = ("migrations", "static")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads them from the checkout
        for name in _DATA:
            for source in sorted(Path(name).rglob("*")):
                if source.is_file():
                    target = Path(self.build_lib) / "app" / source
                    self.mkpath(str(target.parent))
                    self.copy_file(str(source), str(target))


setup(cmdclass={"build_py": BuildWithData})
