# builder/: the libFuzzer target for the cluster.yml front end.
#   make fuzz [FUZZ_SECONDS=60]   build with clang, seed, run
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_config
FUZZ_SRCS    := builder/fuzz/fuzz_config.c $(BUILDER_SRCS) $(LIB_SRCS)
FUZZ_SEEDS   := $(wildcard ../shared/corpus/rke/*.yml) $(wildcard configs/*.yml)

$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard builder/*.h lib/*.h)
	@mkdir -p $(dir $@)
	clang $(WARN) $(CPPFLAGS) $(PKG_CFLAGS) -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ $(FUZZ_SRCS) -lyaml

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	@for f in $(FUZZ_SEEDS); do cp -n "$$f" $(FUZZ_DIR)/corpus/ 2>/dev/null || true; done
	nice -n 10 $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/ -dict=builder/fuzz/cluster.dict \
		$(FUZZ_DIR)/corpus
