# builder/module.mk: the component cache and the builder's own helpers.

PADDOCK_CACHE ?= $(HOME)/.cache/paddock
export PADDOCK_CACHE

.PHONY: components
components:
	@tools/components configs/components.lock

# the builder compresses initramfs layers itself (zstd, gzip, xz with CRC32)
PKGS += libzstd liblzma zlib

# where `paddock build` finds configs/ and build products unless told otherwise
$(BUILD)/obj/builder/cmd_build.o: override CPPFLAGS += -DPADDOCK_SRCDIR='"$(CURDIR)"'
