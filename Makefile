# fieldapp build targets. `make package` builds the Linux bundle (dist/fieldapp/) and smoke-tests it.
PYTHON ?= $(if $(wildcard .venv/bin/python),.venv/bin/python,python3)
export PYTHON

.PHONY: package bundle smoke icons measure clean-package

package: bundle smoke

bundle:
	packaging/build_linux.sh

smoke:
	packaging/smoke_test.sh dist/fieldapp

icons:
	packaging/icons/render.sh

# Bundle size, cold start (--version, GUI to first window) and the Windows installer size estimate.
measure:
	packaging/measure.sh dist/fieldapp

clean-package:
	rm -rf build/pyinstaller dist/fieldapp dist/fieldapp-*-linux-x86_64.tar.xz
