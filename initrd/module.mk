# initrd/: PID 1 (paddock-init) and paddockctl, both for the image.
# Everything but the two mains goes into build/libinit.a, which the unit
# tests link too.
INIT_SRCS := $(filter-out initrd/init.c initrd/paddockctl.c,$(wildcard initrd/*.c))
INIT_OBJS := $(INIT_SRCS:%.c=$(BUILD)/obj/%.o)
INIT_BIN  := $(BUILD)/initrd/init
PADDOCKCTL := $(BUILD)/initrd/paddockctl
PROGRAMS  += $(INIT_BIN) $(PADDOCKCTL)
EXTRA_TEST_LIBS += $(BUILD)/libinit.a
INIT_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)

$(BUILD)/libinit.a: $(INIT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(INIT_BIN): $(BUILD)/obj/initrd/init.o $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(INIT_LIBS)

# static: it goes into the sshd service image, which has no libraries for it
$(PADDOCKCTL): $(BUILD)/obj/initrd/paddockctl.o $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $^

# `all` was read before this file; name the programs again for it.
all: $(INIT_BIN) $(PADDOCKCTL)
# the test pattern rule read TEST_LIBS before this file added libinit.a
$(UNIT_BINS): $(BUILD)/libinit.a
# init's tests include its private headers
$(BUILD)/initrd/tests/%: override CPPFLAGS += -Iinitrd
# shell tests of the image's scripts run with the unit tests
UNIT_SCRIPTS += initrd/tests/udhcpc_script.sh
