# initrd/: the programs of the image: PID 1 (/init), paddock-services (the
# Docker Engine API work PID 1 supervises), paddock-report (the boot stages
# to `paddock serve`) and paddockctl.  Everything but the four mains goes
# into build/libinit.a, which the unit tests link too.
INIT_MAINS := initrd/init.c initrd/servicesd.c initrd/paddockctl.c initrd/reporter.c
INIT_SRCS := $(filter-out $(INIT_MAINS),$(wildcard initrd/*.c))
INIT_OBJS := $(INIT_SRCS:%.c=$(BUILD)/obj/%.o)
INIT_BIN  := $(BUILD)/initrd/init
SERVICES_BIN := $(BUILD)/initrd/paddock-services
PADDOCKCTL := $(BUILD)/initrd/paddockctl
REPORTER_BIN := $(BUILD)/initrd/paddock-report
PROGRAMS  += $(INIT_BIN) $(SERVICES_BIN) $(PADDOCKCTL) $(REPORTER_BIN)
EXTRA_TEST_LIBS += $(BUILD)/libinit.a

$(BUILD)/libinit.a: $(INIT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# libc alone: nothing PID 1 links may reach the Docker API (libcurl)
$(INIT_BIN): $(BUILD)/obj/initrd/init.o $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(SERVICES_BIN): $(BUILD)/obj/initrd/servicesd.o $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libcurl libcrypto 2>/dev/null)

$(REPORTER_BIN): $(BUILD)/obj/initrd/reporter.o $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libcurl libcrypto 2>/dev/null)

# static: it goes into the sshd service image, which has no libraries for it
$(PADDOCKCTL): $(BUILD)/obj/initrd/paddockctl.o $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $^

# `all` was read before this file; name the programs again for it.
all: $(INIT_BIN) $(SERVICES_BIN) $(PADDOCKCTL) $(REPORTER_BIN)
# what base.list names as products, for the targets that build images
$(EXAMPLE_OUT)/manifest.json images check-cli: $(SERVICES_BIN) $(PADDOCKCTL) $(REPORTER_BIN)
# the test pattern rule read TEST_LIBS before this file added libinit.a
$(UNIT_BINS): $(BUILD)/libinit.a
# init's tests include its private headers
$(BUILD)/initrd/tests/%: override CPPFLAGS += -Iinitrd
# shell tests of the image's scripts run with the unit tests
UNIT_SCRIPTS += initrd/tests/udhcpc_script.sh
