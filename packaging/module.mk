# packaging/: `make deb` builds paddock_<version>_<arch>.deb with dpkg-deb
# from a staged install (make install DESTDIR=... PREFIX=/usr): no network,
# no source package.  packaging/mkdeb writes the control file (Depends: the
# libraries the paddock binary links, found by dpkg-shlibdeps, and the
# boot-loader and tool packages a build runs), the docs, md5sums.
#   make deb [DEB_DIR=DIR]   the .deb and its staging tree go to DIR (default $(BUILD))
DEB_VERSION := $(shell sed -n 's/^\#define PADDOCK_VERSION "\(.*\)"/\1/p' builder/version.h)
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_DIR     ?= $(BUILD)
DEB_STAGE    = $(DEB_DIR)/deb-stage
DEB_FILE     = $(DEB_DIR)/paddock_$(DEB_VERSION)_$(DEB_ARCH).deb

.PHONY: deb
deb: all
	rm -rf '$(DEB_STAGE)'
	$(MAKE) --no-print-directory -s install DESTDIR='$(abspath $(DEB_STAGE))/debian/paddock' PREFIX=/usr
	packaging/mkdeb '$(DEB_STAGE)' '$(DEB_FILE)' '$(DEB_VERSION)' '$(DEB_ARCH)'
