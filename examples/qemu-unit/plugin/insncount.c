/*
 * insncount: a QEMU TCG plugin that counts guest instructions and records
 * the running count each time one of two marker functions starts.
 *
 *   qemu-system-arm ... -plugin ./libinsncount.so,start=0x1234,end=0x1240,out=counts.txt
 *
 * For every execution of the instruction at `start`, then at `end`, it
 * appends "S <count>" or "E <count>" to `out`; the cost of what runs between
 * the two markers is the difference. Counting is exact for straight-line
 * translation blocks: each block adds its instruction count when it starts.
 *
 * With `profile=PATH` it also counts, for each translation block, how many
 * times it ran between a start and the next end mark (past the first
 * `skip=N` pairs of marks), and writes "<address> <instructions> <runs>"
 * lines to PATH at exit, for a profile of what runs between the marks by
 * function (`measure.sh` with PROFILE=1).
 *
 * Debian's QEMU 7.2 loads plugins but ships no plugin header, so the few
 * declarations of the plugin API (version 1) used here are written out below.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                                     void *ptr, uint64_t imm);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                                   enum qemu_plugin_cb_flags flags, void *userdata);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
extern void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                                 enum qemu_plugin_cb_flags flags, void *userdata);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t count;
static uint64_t start_addr, end_addr;
static FILE *out;

/* The profile: one record a translated block, counted between marks. */
struct block {
    uint64_t vaddr;
    uint64_t insns;
    uint64_t runs;
};
static FILE *profile;
static struct block **blocks;
static size_t n_blocks, cap_blocks;
static bool inside;
static uint64_t starts_seen, skip_starts;

static void on_marker(unsigned int vcpu, void *userdata)
{
    (void)vcpu;
    if (userdata == NULL) {
        starts_seen++;
        inside = starts_seen > skip_starts;
    } else {
        inside = false;
    }
    fprintf(out, "%c %llu\n", userdata ? 'E' : 'S', (unsigned long long)count);
}

static void on_block(unsigned int vcpu, void *userdata)
{
    (void)vcpu;
    if (inside) {
        ((struct block *)userdata)->runs++;
    }
}

/* A record for a block just translated, or NULL when memory runs out (the
 * block then goes uncounted in the profile). */
static struct block *new_block(uint64_t vaddr, uint64_t insns)
{
    if (n_blocks == cap_blocks) {
        size_t cap = cap_blocks ? 2 * cap_blocks : 1024;
        struct block **grown = realloc(blocks, cap * sizeof *grown);
        if (!grown) {
            return NULL;
        }
        blocks = grown;
        cap_blocks = cap;
    }
    struct block *b = calloc(1, sizeof *b);
    if (b) {
        b->vaddr = vaddr;
        b->insns = insns;
        blocks[n_blocks++] = b;
    }
    return b;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &count, n);
    if (profile) {
        struct block *b = new_block(qemu_plugin_tb_vaddr(tb), n);
        if (b) {
            qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, b);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        if (va == start_addr || va == end_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   va == end_addr ? (void *)1 : NULL);
        }
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    if (out) {
        fprintf(out, "T %llu\n", (unsigned long long)count);
        fflush(out);
    }
    if (profile) {
        for (size_t i = 0; i < n_blocks; i++) {
            if (blocks[i]->runs) {
                fprintf(profile, "%llx %llu %llu\n", (unsigned long long)blocks[i]->vaddr,
                        (unsigned long long)blocks[i]->insns, (unsigned long long)blocks[i]->runs);
            }
        }
        fclose(profile);
        profile = NULL;
    }
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                                int argc, char **argv)
{
    (void)info;
    const char *path = "insncount.txt";
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "start=", 6) == 0) {
            start_addr = strtoull(argv[i] + 6, NULL, 0) & ~1ULL; /* clear the Thumb bit */
        } else if (strncmp(argv[i], "end=", 4) == 0) {
            end_addr = strtoull(argv[i] + 4, NULL, 0) & ~1ULL;
        } else if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else if (strncmp(argv[i], "skip=", 5) == 0) {
            skip_starts = strtoull(argv[i] + 5, NULL, 0);
        } else if (strncmp(argv[i], "profile=", 8) == 0) {
            profile = fopen(argv[i] + 8, "w");
            if (!profile) {
                perror(argv[i] + 8);
                return -1;
            }
        } else {
            fprintf(stderr, "insncount: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    if (!start_addr || !end_addr) {
        fprintf(stderr, "insncount: start= and end= addresses are required\n");
        return -1;
    }
    out = fopen(path, "w");
    if (!out) {
        perror(path);
        return -1;
    }
    setvbuf(out, NULL, _IOLBF, 0); /* survive an exit that skips atexit */
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
