# qemu-tests: the boot-media tests drive media_emit() through a small tool.
MEDIA_TOOL := $(BUILD)/qemu-tests/media-tool
$(MEDIA_TOOL): qemu-tests/media_tool.c $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) -Ibuilder $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a $(PKG_LIBS)
QEMU_PREREQS += $(MEDIA_TOOL)
