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

# The bundled single-node example, built once and shared by the QEMU tests
# (qemu-tests/ get BUILD and find it in $(BUILD)/example/single-node).
EXAMPLE_OUT := $(BUILD)/example/single-node
.PHONY: example-image
example-image: $(EXAMPLE_OUT)/manifest.json
$(EXAMPLE_OUT)/manifest.json: $(PADDOCK) $(BUILD)/initrd/init configs/single-node.yml configs/base.list \
		configs/modules.list configs/components.lock | components
	@mkdir -p $(dir $(EXAMPLE_OUT))
	$(PADDOCK) build configs/single-node.yml -o $(EXAMPLE_OUT)

QEMU_PREREQS += components example-image
check-cli: components
