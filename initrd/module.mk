# initrd/module.mk: PID 1 of the image.  Static, so the base needs no C
# library for it (the components still bring one for dockerd and friends).

INITRD_INIT := $(BUILD)/initrd/init
all: $(INITRD_INIT)

$(INITRD_INIT): initrd/init.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -D_GNU_SOURCE -Os -static -o $@ $<
