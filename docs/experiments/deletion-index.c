// What would 2 M tolerant lookups a second at 1,000,000 entries take?
//
// A throw-away measurement, not part of hitgate: a one-edit index on
// look-alike skeletons with no range scans at all. Every entry is stored
// under eight keys in one hash table (its skeleton, and its skeleton with
// each of its seven characters deleted, tagged with the position), each
// key a 4-byte word (12-bit fingerprint, 20-bit entry position) in buckets
// of sixteen words, one cache line. A read of n characters then needs
// exactly 3n + 1 probes, all known up front and prefetched together:
//   n      its deletions at each position: entries of its length that
//          differ at that position at most (substitutions, look-alikes);
//   n + 1  itself at each position: entries one character longer;
//   n      its deletions as whole skeletons: entries one character shorter.
// The candidates' entries (20 bytes, as in hitgate) are prefetched too,
// then checked (at most one other edit, at most one look-alike pair). A
// bucket's sixteen words are compared without a branch, which `-O3
// -march=native` turns into vector compares.
//
// The workload is the lookup bench's: distinct random `1ABC234` plates,
// 4,096 reads of which about 1 % are listed. Left out, so the figures are
// a lower bound on the cost: ranking the matches, rebuilding plates,
// validity windows, countries, lists, priorities.
//
//   cc -O3 -march=native -o /tmp/deletion-index docs/experiments/deletion-index.c
//   /tmp/deletion-index ENTRIES LOAD [PREFETCH [SUBS [AHEAD]]]   (e.g. 1000000 0.5 1 0 0)
//
// SUBS 1 probes only for the read's own length (the first n probes): right
// only when no listed plate is a character longer or shorter than the read,
// which a real list (old six-character Belgian plates, foreign plates)
// never is. AHEAD 1 or 2 pipelines the reads: a read's probes and then its
// candidates are fetched one or two reads before it is checked, as a batch
// replay could do and a unit looking up the read it has cannot.
//
// Bytes an entry: 20 for the entry and 8 x 4 / LOAD for the table.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SLOTS = 16, READS = 4096, ROUNDS = 15, LEN = 7, SELF = 15 };

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

// Look-alike classes, each character to its class's first member.
static char rep[256];
static void init_classes(void) {
  for (int c = 0; c < 256; c++) rep[c] = (char)c;
  const char *cls[] = {"O0DQ", "I1LT", "B8", "S5", "Z2", "G6"};
  for (int i = 0; i < 6; i++)
    for (const char *p = cls[i]; *p; p++) rep[(unsigned char)*p] = cls[i][0];
}
static unsigned code(char c) { return c >= 'A' ? (unsigned)(c - 'A' + 11) : (unsigned)(c - '0' + 1); }

// A skeleton: ten 6-bit fields, the first character highest, as in hitgate.
static uint64_t skel_of(const char *s, int n) {
  uint64_t k = 0;
  for (int i = 0; i < 10; i++) k = (k << 6) | (i < n ? code(rep[(unsigned char)s[i]]) : 0);
  return k;
}
static uint64_t del(uint64_t k, int i) {
  int sh = 6 * (9 - i);
  uint64_t hi = (k >> (sh + 6)) << (sh + 6);
  uint64_t lo = k & ((1ull << sh) - 1);
  return hi | (lo << 6);
}
static uint64_t tagged(uint64_t key, int tag) { return key | (uint64_t)tag << 60; }

typedef struct {
  uint64_t skel;
  char plate[8];
  uint32_t meta;
} __attribute__((packed)) Entry; // 20 bytes

static Entry *entries;
static uint32_t *table;
static uint64_t buckets;

static uint64_t mix(uint64_t k) {
  k ^= k >> 31;
  k *= 0x7fb5d329728ea185ull;
  k ^= k >> 27;
  k *= 0x81dadef4bc2dd44dull;
  k ^= k >> 33;
  return k;
}
static uint64_t bucket_of(uint64_t h) { return (uint64_t)(((unsigned __int128)h * buckets) >> 64); }
static uint32_t fingerprint(uint64_t h) { return (uint32_t)(h & 0xfff) | 1; }

static void insert(uint64_t key, uint32_t pos) {
  uint64_t h = mix(key), b = bucket_of(h);
  for (;;) {
    uint32_t *s = table + SLOTS * b;
    for (int i = 0; i < SLOTS; i++)
      if (!s[i]) {
        s[i] = fingerprint(h) << 20 | pos;
        return;
      }
    b = (b + 1) % buckets; // linear probing over buckets
  }
}

static void belgian(char *s) {
  s[0] = '1' + rnd() % 2;
  for (int i = 1; i < 4; i++) s[i] = 'A' + rnd() % 26;
  for (int i = 4; i < 7; i++) s[i] = '0' + rnd() % 10;
  s[7] = 0;
}

// Same length: at most one position of another class, at most one other
// position with another member of the same class.
static int within(const char *r, const Entry *e) {
  int edits = 0, ocr = 0;
  for (int i = 0; i < LEN; i++) {
    if (rep[(unsigned char)r[i]] != rep[(unsigned char)e->plate[i]]) edits++;
    else if (r[i] != e->plate[i]) ocr++;
  }
  return edits <= 1 && ocr <= 1;
}

static uint64_t found, candidates, lines;
static int prefetch = 1, subs_only = 0;

// A lookup in three stages, so that reads can be pipelined: `probe`
// hashes the read's keys and prefetches their buckets, `gather` collects
// the candidates and prefetches their entries, `check` checks them.
enum { PROBES = 3 * LEN + 1, MAXC = 64 };
typedef struct {
  const char *r;
  uint64_t q, h[PROBES];
  int kind[PROBES], at[PROBES], p, from[MAXC], n;
  uint32_t pos[MAXC];
} Lookup;

static void probe(Lookup *L, const char *r) {
  uint64_t q = skel_of(r, LEN);
  int p = 0;
  L->r = r, L->q = q;
  for (int i = 0; i < LEN; i++) L->kind[p] = 0, L->at[p] = i, L->h[p++] = mix(tagged(del(q, i), i));
  if (!subs_only) {
    for (int j = 0; j <= LEN; j++) L->kind[p] = 1, L->at[p] = j, L->h[p++] = mix(tagged(q, j));
    for (int i = 0; i < LEN; i++) L->kind[p] = 2, L->at[p] = i, L->h[p++] = mix(tagged(del(q, i), SELF));
  }
  L->p = p;
  if (prefetch)
    for (int k = 0; k < p; k++) __builtin_prefetch(table + SLOTS * bucket_of(L->h[k]));
}

static void gather(Lookup *L) {
  int n = 0;
  for (int k = 0; k < L->p; k++) {
    uint64_t b = bucket_of(L->h[k]);
    uint32_t f = fingerprint(L->h[k]);
    for (;;) {
      const uint32_t *s = table + SLOTS * b;
      uint32_t hit = 0, empty = 0; // a bit a slot, without a branch
      lines++;
      for (int j = 0; j < SLOTS; j++) {
        hit |= (uint32_t)(s[j] >> 20 == f) << j; // empty slots have fingerprint 0
        empty |= (uint32_t)(s[j] == 0) << j;
      }
      for (; hit && n < MAXC; hit &= hit - 1) L->pos[n] = s[__builtin_ctz(hit)] & 0xfffff, L->from[n++] = k;
      if (empty) break;
      b = (b + 1) % buckets;
    }
  }
  L->n = n;
  candidates += n;
  if (prefetch)
    for (int k = 0; k < n; k++) __builtin_prefetch(entries + L->pos[k]);
}

static void check(const Lookup *L) {
  const char *r = L->r;
  uint64_t q = L->q;
  for (int k = 0; k < L->n; k++) {
    const Entry *e = entries + L->pos[k];
    int probe = L->from[k], i = L->at[probe];
    if (L->kind[probe] == 0) {
      uint64_t x = e->skel ^ q;
      // The same skeleton turns up at every position: count it at the first.
      if (!x) {
        found += i == 0 && within(r, e);
        continue;
      }
      int hi = 63 - __builtin_clzll(x), lo = __builtin_ctzll(x);
      found += hi / 6 == lo / 6 && 9 - hi / 6 == i && within(r, e);
    } else if (L->kind[probe] == 1) {
      found += del(e->skel, i) == q; // one longer (none in this workload)
    } else {
      found += e->skel == del(q, i); // one shorter (none in this workload)
    }
  }
}

static int ahead = 0;

// All reads, each `ahead` reads' stages ahead of the one checked: with
// `ahead` 0 one read at a time, as a unit looks up the read it has; with
// more, a batch of reads whose memory waits overlap.
static void run(char (*reads)[8], int count) {
  enum { RING = 8 };
  Lookup ring[RING];
  for (int i = 0; i < count + 2 * ahead; i++) {
    if (i < count) probe(&ring[i % RING], reads[i]);
    if (i - ahead >= 0 && i - ahead < count) gather(&ring[(i - ahead) % RING]);
    if (i - 2 * ahead >= 0) check(&ring[(i - 2 * ahead) % RING]);
  }
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  double load = argc > 2 ? atof(argv[2]) : 0.75;
  prefetch = argc > 3 ? atoi(argv[3]) : 1;
  subs_only = argc > 4 ? atoi(argv[4]) : 0;
  ahead = argc > 5 ? atoi(argv[5]) : 0;
  if (n < 1 || n > (1 << 20) || load <= 0 || load > 0.95 || ahead < 0 || ahead > 3) return fprintf(stderr, "bad arguments\n"), 2;
  init_classes();
  entries = aligned_alloc(64, ((n * sizeof(Entry) + 63) / 64) * 64);
  buckets = (uint64_t)(8.0 * n / load / SLOTS) + 1;
  table = aligned_alloc(64, buckets * 64);
  memset(table, 0, buckets * 64);
  uint64_t setn = 4 * (uint64_t)n, *seen = calloc(setn, 8);
  for (long i = 0; i < n;) {
    char s[8];
    belgian(s);
    uint64_t k = 0, b;
    for (int j = 0; j < LEN; j++) k = k << 8 | (unsigned char)s[j];
    for (b = mix(k) % setn; seen[b] && seen[b] != k; b = (b + 1) % setn) {}
    if (seen[b]) continue;
    seen[b] = k;
    memcpy(entries[i].plate, s, 8);
    entries[i].skel = skel_of(s, LEN);
    entries[i].meta = 0;
    i++;
  }
  for (long i = 0; i < n; i++) {
    insert(tagged(entries[i].skel, SELF), (uint32_t)i);
    for (int j = 0; j < LEN; j++) insert(tagged(del(entries[i].skel, j), j), (uint32_t)i);
  }
  static char reads[READS][8];
  for (int i = 0; i < READS; i++) {
    if (rnd() % 100 == 0) memcpy(reads[i], entries[rnd() % n].plate, 8);
    else belgian(reads[i]);
  }
  double ns[ROUNDS];
  for (int k = 0; k < ROUNDS; k++) {
    found = candidates = lines = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    run(reads, READS);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ns[k] = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / READS;
  }
  for (int i = 0; i < ROUNDS; i++)
    for (int j = i + 1; j < ROUNDS; j++)
      if (ns[j] < ns[i]) { double t = ns[i]; ns[i] = ns[j]; ns[j] = t; }
  double median = ns[ROUNDS / 2];
  printf("%ld entries, load %.2f, prefetch %d, subs only %d, ahead %d: %.0f ns a lookup (%.2f M a second); a read: %.2f matches, "
         "%.1f candidates, %.1f lines; %.1f bytes an entry\n",
         n, load, prefetch, subs_only, ahead, median, 1e3 / median, (double)found / READS, (double)candidates / READS,
         (double)lines / READS, 20 + buckets * 64.0 / n);
  return 0;
}
