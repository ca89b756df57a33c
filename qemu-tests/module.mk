# qemu-tests: the boot-media tests drive media_emit() through a small tool.
MEDIA_TOOL := $(BUILD)/qemu-tests/media-tool
$(MEDIA_TOOL): qemu-tests/media_tool.c $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) -Ibuilder $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a $(PKG_LIBS)
QEMU_PREREQS += $(MEDIA_TOOL)

# The Kubernetes test images (qemu-tests/k8s-images.sh) are built from
# .list files and a test-only lock by the bundled images' engine.
LIST_IMAGE := $(BUILD)/qemu-tests/list-image
$(LIST_IMAGE): qemu-tests/list_image.c $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) -Ibuilder $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a $(PKG_LIBS)
QEMU_PREREQS += $(LIST_IMAGE)
