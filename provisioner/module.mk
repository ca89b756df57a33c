# provisioner/: paddock-provisioner, the state disk and etcd (provision.h).
# Everything but main.c goes into build/libprov.a, which the unit tests
# link too.  It uses init's console and supervision helpers (libinit.a).
PROV_SRCS := $(filter-out provisioner/main.c,$(wildcard provisioner/*.c))
PROV_OBJS := $(PROV_SRCS:%.c=$(BUILD)/obj/%.o)
PROV_BIN  := $(BUILD)/provisioner/paddock-provisioner
PROGRAMS  += $(PROV_BIN)
# before libinit.a, whose console helpers it uses
EXTRA_TEST_LIBS := $(BUILD)/libprov.a $(EXTRA_TEST_LIBS)

$(PROV_OBJS) $(BUILD)/obj/provisioner/main.o: override CPPFLAGS += -Iinitrd

$(BUILD)/libprov.a: $(PROV_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(PROV_BIN): $(BUILD)/obj/provisioner/main.o $(BUILD)/libprov.a $(BUILD)/libinit.a $(BUILD)/libpaddock.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libcurl 2>/dev/null)

all: $(PROV_BIN)
$(EXAMPLE_OUT)/manifest.json images check-cli: $(PROV_BIN)
$(UNIT_BINS): $(BUILD)/libprov.a
$(BUILD)/provisioner/tests/%: override CPPFLAGS += -Iprovisioner -Iinitrd
