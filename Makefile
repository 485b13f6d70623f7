# godwit build. `make` builds build/godwit-vmm; `make check` installs what is
# missing, builds the normal and the ASan+UBSan variants and runs every test;
# `make demo` runs the demo. See README.md.

CC ?= gcc
BUILD ?= build
SAN ?= 0

CFLAGS_COMMON := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Isrc -D_GNU_SOURCE -g -MMD -MP
ifeq ($(SAN),1)
CFLAGS_OPT := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=address,undefined
else
CFLAGS_OPT := -O2
LDFLAGS_SAN :=
endif
CFLAGS += $(CFLAGS_COMMON) $(CFLAGS_OPT)
LDLIBS := -lfdt -ljansson -lxxhash -lcrypto -lpthread -lm

LIB_SRCS := $(filter-out src/vmm/main.c src/cli/%,$(shell find src -name '*.c' | sort))
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps check unit isa guests guest-linux demo bench bench-cpu bench-boot bench-migrate bench-storage bench-smp soak clean
all: $(BUILD)/godwit-vmm $(BUILD)/godwit $(BUILD)/godwit-netdelay

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libgodwit.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/godwit-vmm: $(BUILD)/obj/src/vmm/main.o $(BUILD)/libgodwit.a
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(LDLIBS)

# the command line (src/cli): talks QMP to VMMs
$(BUILD)/godwit: $(CLI_OBJS) $(BUILD)/libgodwit.a
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(LDLIBS)

# the delay daemon of the emulated long-distance link (tools/netdelay,
# docs/wan.md); a tool of the tests and benchmarks, not of the VMM
$(BUILD)/godwit-netdelay: $(BUILD)/obj/tools/netdelay/netdelay.o
	$(CC) $(LDFLAGS_SAN) -o $@ $^ -lnetfilter_queue -lnfnetlink -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libgodwit.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -frounding-math -o $@ $< $(BUILD)/libgodwit.a $(LDLIBS) -lcmocka $(LDFLAGS_SAN)

unit: $(UNIT_BINS)

RV_CC := riscv64-unknown-elf-gcc
RV_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -ffreestanding -nostdlib \
	-nostartfiles -static -Wall -Wextra -Werror -Wl,--no-warn-rwx-segments
build/guest/demo.elf: guest/demo/start.S guest/demo/demo.c guest/demo/link.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) -T guest/demo/link.ld -o $@ guest/demo/start.S guest/demo/demo.c

build/guest/sbi-hello.elf: guest/sbi-hello/hello.S guest/sbi-hello/link.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) -T guest/sbi-hello/link.ld -o $@ guest/sbi-hello/hello.S

MIGTEST_SRCS := $(addprefix guest/migtest/,start.S main.c args.c clock.c fdt.c harts.c out.c region.c)
build/guest/migtest.elf: $(MIGTEST_SRCS) guest/migtest/migtest.h guest/migtest/link.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) -fno-tree-loop-distribute-patterns -T guest/migtest/link.ld -o $@ $(MIGTEST_SRCS)

build/guest/chatty.elf: guest/chatty/start.S guest/chatty/chatty.c guest/chatty/link.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) -fno-tree-loop-distribute-patterns -T guest/chatty/link.ld -o $@ guest/chatty/start.S guest/chatty/chatty.c

# SMP litmus programs (tests/smp): every hart runs them, -bios none
build/guest/litmus.elf: guest/litmus/start.S guest/litmus/litmus.c guest/litmus/link.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) -fno-tree-loop-distribute-patterns -T guest/litmus/link.ld -o $@ guest/litmus/start.S guest/litmus/litmus.c

# the parallel benchmark (bench/smp.sh): bench/cpu's workloads split over
# the harts; work_cpu.c is compiled once per hart (its state is static)
SMP_BENCH_CFLAGS := $(RV_CFLAGS) -fno-tree-loop-distribute-patterns -Ibench/cpu
build/bench/smp/cpu_h%.o: bench/cpu/work_cpu.c bench/cpu/workload.h bench/cpu/params.h
	@mkdir -p $(dir $@)
	$(RV_CC) $(SMP_BENCH_CFLAGS) -Dcpu_workload=cpu_workload_h$* -c -o $@ $<
# smp-W.elf: data on pages of its own; smp-W-shared.elf: data right after
# the code (bench/cpu's layout)
SMP_CPU_OBJS := $(foreach i,0 1 2 3,build/bench/smp/cpu_h$(i).o)
build/bench/smp-cpu.elf build/bench/smp-cpu-shared.elf: build/bench/smp-cpu%.elf: \
		bench/smp/start.S bench/smp/par.c bench/smp/link%.ld $(SMP_CPU_OBJS)
	$(RV_CC) $(SMP_BENCH_CFLAGS) -DPAR_CPU -T bench/smp/link$*.ld -o $@ bench/smp/start.S \
		bench/smp/par.c $(SMP_CPU_OBJS) -lgcc
build/bench/smp-store.elf build/bench/smp-store-shared.elf: build/bench/smp-store%.elf: \
		bench/smp/start.S bench/smp/par.c bench/smp/link%.ld bench/cpu/work_store.c
	@mkdir -p $(dir $@)
	$(RV_CC) $(SMP_BENCH_CFLAGS) -DPAR_STORE -T bench/smp/link$*.ld -o $@ bench/smp/start.S \
		bench/smp/par.c bench/cpu/work_store.c -lgcc
SMP_BENCH_ELFS := $(foreach w,cpu store,build/bench/smp-$(w).elf build/bench/smp-$(w)-shared.elf)

guests: build/guest/demo.elf build/guest/sbi-hello.elf build/guest/migtest.elf build/guest/chatty.elf \
	build/guest/litmus.elf

# the Linux guest: built outside the tree and cached by input hash (minutes
# the first time, about a second after that)
guest-linux:
	@guest/linux/build.sh

isa:
	$(MAKE) -C tests/isa O=$(abspath build/isa)

deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all unit
	$(MAKE) BUILD=build/asan SAN=1 all unit
	$(MAKE) isa guests guest-linux
	@tests/run.sh

demo: deps
	$(MAKE) all guests guest-linux
	@scripts/demo.sh

bench: deps
	$(MAKE) all guest-linux build/guest/migtest.elf $(SMP_BENCH_ELFS)
	@bench/cpu.sh
	@bench/boot.sh
	@bench/migrate.py
	@bench/smp.sh

bench-cpu: deps
	$(MAKE) all
	@bench/cpu.sh

bench-boot: deps
	$(MAKE) all guest-linux
	@bench/boot.sh

# multi-hart guests: boot, idle, parallel workloads, a 4-hart migration
bench-smp: deps
	$(MAKE) all guest-linux build/guest/migtest.elf $(SMP_BENCH_ELFS)
	@bench/smp.sh

# live migration, godwit against QEMU (root for the shaped veth link;
# BENCH_QUICK=1: 256 MiB over loopback only; BENCH_RUNS=N repeats)
bench-migrate: deps
	$(MAKE) all build/guest/migtest.elf
	@bench/migrate.py

# storage migration (drive-mirror) and shared-nothing migration, godwit
# against QEMU, with the Linux guest's disk workload (root for the veth
# link; images of several GiB under /var/tmp; BENCH_QUICK=1: small sizes,
# loopback only; BENCH_RUNS=N repeats)
bench-storage: deps
	$(MAKE) all guest-linux
	@bench/storage.py

# 1,000 live migrations with random faults (tests/migration/soak.py); the
# table of how each ended goes to docs/soak.md. SOAK_SEED=N picks the run.
soak: deps
	$(MAKE) all build/guest/migtest.elf
	@python3 tests/migration/soak.py build/godwit-vmm

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(BUILD)/obj/src/vmm/main.d $(UNIT_BINS:=.d) \
	$(BUILD)/obj/tools/netdelay/netdelay.d

# ---- fuzzing (tests/fuzz, added with the migration fuzzer) ----------------
# `make fuzz` builds build/fuzz/fuzz_migration: the destination's migration
# loader under libFuzzer, ASan and UBSan (clang; every library source is
# compiled again with coverage instrumentation). `make fuzz-long` runs it for
# 10 minutes; tests/fuzz/run.sh [SECONDS] builds and runs it (PASS/FAIL line).
FUZZ_CC ?= clang
FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Isrc -D_GNU_SOURCE -g -O1 -MMD -MP \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)

.PHONY: fuzz fuzz-long
fuzz: $(FUZZ_BUILD)/fuzz_migration

fuzz-long: fuzz
	@tests/fuzz/run.sh 600

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_migration: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_migration.o $(FUZZ_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_migration.d
