/* tests/emu/cuda_emu.cpp -- the host emulation of the CUDA runtime behind
 * tests/emu/include/cuda_runtime.h, for the emulated GPU tier (tests/emu/README.md).
 *
 * Device memory is host memory (malloc), filled with 0xA5 on allocation and 0xEE on free so
 * reads of uninitialised or freed memory give garbage. Streams are synchronous; a capturing
 * stream records launches into its graph, and a graph launch replays them. Every block of a
 * launch runs in turn; its threads run as ucontext fibers on one OS thread, so __syncthreads is
 * a real barrier (a kernel's first launch runs as fibers; a kernel seen to use no barrier runs
 * its later launches as a plain loop over the threads, which is much faster).
 *
 * Checks (each prints "EMU FATAL: ..." and aborts, so the test crashes and fails):
 *  - cudaFreeAsync of a pointer that is not a live allocation (double or foreign free);
 *  - copies and memsets outside a device allocation;
 *  - allocation, free, copy, memset, synchronisation, event record or CUB call on a stream
 *    that is capturing (they would not be in the graph, or are illegal in capture);
 *  - __syncthreads reached by part of a block only, or outside a kernel;
 *  - bad launch configurations (0 or > 1024 threads, empty grid);
 *  - CUB temporary storage smaller than asked for or not a device allocation.
 *  - a leak: cudaStreamDestroy while a device allocation made on that stream is still live (the
 *    backend and the device network builder free everything before destroying their stream).
 * Totals of what is live: cob_emu_live_bytes, cob_emu_live_graphs.
 * Failure injection: EMU_FAIL_AT=n makes the n-th cudaMallocAsync return
 * cudaErrorMemoryAllocation. Limits: see include/cuda_runtime.h; not thread-safe (the backend
 * calls CUDA from one thread). */
#include <ucontext.h>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>
#include "cuda_runtime.h"
#include "cub/emu_cub.h"

uint3 threadIdx, blockIdx;
dim3 blockDim, gridDim;

struct CUgraph_st {
    std::vector<std::function<void()>> nodes;
};
struct CUstream_st {
    int capturing = 0;
    CUgraph_st *g = nullptr;
};
struct CUevent_st {
    int unused = 0;
};
struct CUmemPool_st {
    int unused = 0;
};
static CUmemPool_st g_pool;

struct dev_alloc {
    size_t bytes;
    cudaStream_t st; /* the stream it was allocated on */
};
static std::map<const void *, dev_alloc> g_live; /* device allocations by start */
static long long g_live_bytes = 0;
static int g_live_graphs = 0;
static std::vector<unsigned char> g_dyn; /* dynamic shared memory of the running launch */

[[noreturn]] static void die(const char *what)
{
    fprintf(stderr, "EMU FATAL: %s\n", what);
    fflush(stderr);
    abort();
}
static void cap_check(cudaStream_t st, const char *what)
{
    if (st && st->capturing) {
        std::string m = std::string(what) + " during stream capture";
        die(m.c_str());
    }
}
static void check_dev_range(const void *p, size_t n, const char *what)
{
    auto it = g_live.upper_bound(p);
    char m[256];
    if (it == g_live.begin()) {
        snprintf(m, sizeof m, "%s: %p is not in a device allocation", what, p);
        die(m);
    }
    --it;
    if ((const char *)p + n > (const char *)it->first + it->second.bytes) {
        snprintf(m, sizeof m, "%s: %zu bytes at %p overrun the device allocation of %zu bytes", what, n, p,
                 it->second.bytes);
        die(m);
    }
}

namespace emu {
void on_capture_check(cudaStream_t st, const char *what) { cap_check(st, what); }
int next_flip(void)
{
    static int mode = -1;
    static unsigned ctr = 0;
    if (mode < 0) {
        const char *e = getenv("EMU_FLIP");
        mode = e ? atoi(e) : 2;
    }
    if (mode == 2) return (int)(((ctr++ * 2654435761u) >> 7) & 1u);
    return mode;
}
void cub_checked(void *tmp, size_t bytes, size_t need, const char *what)
{
    char m[256];
    if (bytes < need) {
        snprintf(m, sizeof m, "%s: temporary storage of %zu bytes, %zu needed", what, bytes, need);
        die(m);
    }
    auto it = g_live.find(tmp);
    if (it == g_live.end()) {
        snprintf(m, sizeof m, "%s: temporary storage is not a device allocation", what);
        die(m);
    }
    if (it->second.bytes < bytes) {
        snprintf(m, sizeof m, "%s: temporary storage allocated %zu bytes, passed as %zu", what, it->second.bytes,
                 bytes);
        die(m);
    }
}
void *dyn_shared(void) { return g_dyn.data(); }
} // namespace emu

extern "C" long long cob_emu_live_bytes(void) { return g_live_bytes; }
extern "C" int cob_emu_live_graphs(void) { return g_live_graphs; }

cudaError_t cudaMallocAsync(void **p, size_t bytes, cudaStream_t st)
{
    static long n_calls = 0, fail_at = -2;
    cap_check(st, "cudaMallocAsync");
    if (fail_at == -2) {
        const char *e = getenv("EMU_FAIL_AT");
        fail_at = e ? atol(e) : -1;
    }
    *p = nullptr;
    if (++n_calls == fail_at) return cudaErrorMemoryAllocation;
    if (bytes > (size_t)60e9) return cudaErrorMemoryAllocation; /* the emulated device: 80 GB */
    *p = malloc(bytes ? bytes : 1);
    if (!*p) return cudaErrorMemoryAllocation;
    memset(*p, 0xA5, bytes);
    g_live[*p] = dev_alloc{bytes, st};
    g_live_bytes += (long long)bytes;
    return cudaSuccess;
}
cudaError_t cudaFreeAsync(void *p, cudaStream_t st)
{
    cap_check(st, "cudaFreeAsync");
    auto it = g_live.find(p);
    if (it == g_live.end()) {
        char m[128];
        snprintf(m, sizeof m, "cudaFreeAsync(%p): not a live device allocation (double free?)", p);
        die(m);
    }
    g_live_bytes -= (long long)it->second.bytes;
    memset(p, 0xEE, it->second.bytes);
    g_live.erase(it);
    free(p);
    return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t *free_b, size_t *total_b)
{
    *free_b = (size_t)79e9;
    *total_b = (size_t)80e9;
    return cudaSuccess;
}
cudaError_t cudaGetLastError(void) { return cudaSuccess; }
cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t *p, int)
{
    *p = &g_pool;
    return cudaSuccess;
}
cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t, cudaMemPoolAttr, void *) { return cudaSuccess; }
cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t, cudaMemPoolAttr, void *v)
{
    *(uint64_t *)v = 0;
    return cudaSuccess;
}
cudaError_t cudaGetDeviceCount(int *n)
{
    *n = 1;
    return cudaSuccess;
}
const char *cudaGetErrorString(cudaError_t e) { return e == cudaErrorMemoryAllocation ? "out of memory" : "emulated error"; }
const char *cudaGetErrorName(cudaError_t e)
{
    return e == cudaErrorMemoryAllocation ? "cudaErrorMemoryAllocation" : "cudaErrorEmulated";
}
cudaError_t cudaRuntimeGetVersion(int *v)
{
    *v = 13000;
    return cudaSuccess;
}
cudaError_t cudaDriverGetVersion(int *v)
{
    *v = 13000;
    return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "emulated device (tests/emu)");
    p->totalGlobalMem = (size_t)80e9;
    p->major = 9;
    p->multiProcessorCount = 2;
    return cudaSuccess;
}
cudaError_t cudaSetDevice(int) { return cudaSuccess; }
cudaError_t cudaGetDevice(int *dev)
{
    *dev = 0;
    return cudaSuccess;
}
cudaError_t cudaDeviceGetAttribute(int *v, cudaDeviceAttr, int)
{
    *v = 2;
    return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void *d, const void *s, size_t n, cudaMemcpyKind k, cudaStream_t st)
{
    cap_check(st, "cudaMemcpyAsync");
    if (n) {
        if (k == cudaMemcpyHostToDevice || k == cudaMemcpyDeviceToDevice) check_dev_range(d, n, "copy destination");
        if (k == cudaMemcpyDeviceToHost || k == cudaMemcpyDeviceToDevice) check_dev_range(s, n, "copy source");
        memcpy(d, s, n);
    }
    return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void *d, int v, size_t n, cudaStream_t st)
{
    cap_check(st, "cudaMemsetAsync");
    if (n) {
        check_dev_range(d, n, "memset");
        memset(d, v, n);
    }
    return cudaSuccess;
}
cudaError_t cudaMemcpy(void *d, const void *s, size_t n, cudaMemcpyKind k) { return cudaMemcpyAsync(d, s, n, k, 0); }
cudaError_t cudaMemset(void *d, int v, size_t n) { return cudaMemsetAsync(d, v, n, 0); }
cudaError_t cudaStreamSynchronize(cudaStream_t st)
{
    cap_check(st, "cudaStreamSynchronize");
    return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }
cudaError_t cudaEventCreate(cudaEvent_t *e)
{
    *e = new CUevent_st();
    return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t e)
{
    delete e;
    return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t st)
{
    cap_check(st, "cudaEventRecord");
    return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t, cudaEvent_t)
{
    *ms = 0.001f;
    return cudaSuccess;
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *st, unsigned)
{
    *st = new CUstream_st();
    return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t st)
{
    if (st && st->capturing) die("cudaStreamDestroy of a capturing stream");
    for (auto &a : g_live)
        if (st && a.second.st == st) {
            char m[160];
            snprintf(m, sizeof m, "cudaStreamDestroy: %zu device bytes allocated on the stream never freed (leak)",
                     a.second.bytes);
            die(m);
        }
    delete st;
    return cudaSuccess;
}
cudaError_t cudaStreamBeginCapture(cudaStream_t st, cudaStreamCaptureMode)
{
    if (!st) die("cudaStreamBeginCapture on the legacy default stream");
    if (st->capturing) die("cudaStreamBeginCapture on a stream already capturing");
    st->capturing = 1;
    st->g = new CUgraph_st();
    g_live_graphs++;
    return cudaSuccess;
}
cudaError_t cudaStreamEndCapture(cudaStream_t st, cudaGraph_t *g)
{
    if (!st || !st->capturing) die("cudaStreamEndCapture without a capture");
    st->capturing = 0;
    *g = st->g;
    st->g = nullptr;
    return cudaSuccess;
}
cudaError_t cudaGraphInstantiate(cudaGraphExec_t *e, cudaGraph_t g, unsigned long long)
{
    *e = new CUgraph_st(*g);
    g_live_graphs++;
    return cudaSuccess;
}
cudaError_t cudaGraphLaunch(cudaGraphExec_t e, cudaStream_t st)
{
    cap_check(st, "cudaGraphLaunch");
    for (auto &f : e->nodes) f();
    return cudaSuccess;
}
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t e)
{
    delete e;
    g_live_graphs--;
    return cudaSuccess;
}
cudaError_t cudaGraphDestroy(cudaGraph_t g)
{
    delete g;
    g_live_graphs--;
    return cudaSuccess;
}

/* ---- kernels: blocks in turn, the threads of a block as fibers ---- */
enum { F_RUN = 0, F_BAR = 1, F_DONE = 2, F_WARP = 3 };
struct fiber {
    ucontext_t ctx;
    void *sp; /* EMU_FAST_SWITCH: the saved stack pointer */
    int state;
    std::vector<char> stack;
};
[[maybe_unused]] static ucontext_t g_sched; /* ucontext switching only */
[[maybe_unused]] static void *g_sched_sp; /* EMU_FAST_SWITCH only */
static std::vector<fiber> g_fib;
static int g_cur = -1;
static bool g_in_fiber = false, g_in_kernel = false, g_barrier_seen = false;
static const std::function<void()> *g_body;
static std::set<const void *> g_no_barrier; /* kernels seen to run without __syncthreads */

/* Switching fibers. swapcontext saves and restores the signal mask, a system call each way, which
 * made a kernel with barriers in every tile (kernels/step.cu, cob_k_expand) cost most of the
 * tier's time. On x86-64 a switch saves the callee-saved registers, the SSE and x87 control
 * words and the stack pointer, and loads another fiber's (the SysV calling convention: nothing
 * else survives a call). Elsewhere, and under AddressSanitizer (which must see stack switches),
 * ucontext. */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define EMU_FAST_SWITCH 1
extern "C" void emu_switch(void **save_sp, void *load_sp);
__asm__(".pushsection .text\n"
        ".globl emu_switch\n"
        ".type emu_switch,@function\n"
        "emu_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  subq $8, %rsp\n  stmxcsr (%rsp)\n  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n  movq %rsi, %rsp\n"
        "  ldmxcsr (%rsp)\n  fldcw 4(%rsp)\n  addq $8, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size emu_switch, .-emu_switch\n"
        ".popsection\n");
#endif

static void fiber_entry(void);
/* Make fiber f start at fiber_entry when it is next switched to. */
static void fiber_start(fiber &f)
{
#ifdef EMU_FAST_SWITCH
    /* the frame emu_switch pops: control words, r15 .. rbp, its return address (fiber_entry), and a
     * null return address for fiber_entry, which then sees the stack of a call (rsp = 8 mod 16) */
    uintptr_t top = ((uintptr_t)(f.stack.data() + f.stack.size())) & ~(uintptr_t)15;
    uint64_t *s = (uint64_t *)top;
    *--s = 0;
    *--s = (uint64_t)(uintptr_t)&fiber_entry;
    for (int r = 0; r < 6; ++r) *--s = 0;
    *--s = 0x037Full << 32 | 0x1F80u; /* default x87 control word and MXCSR */
    f.sp = s;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack.data();
    f.ctx.uc_stack.ss_size = f.stack.size();
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, fiber_entry, 0);
#endif
}
/* The running fiber gives the scheduler back its turn. */
static void to_scheduler(void)
{
#ifdef EMU_FAST_SWITCH
    emu_switch(&g_fib[(size_t)g_cur].sp, g_sched_sp);
#else
    swapcontext(&g_fib[(size_t)g_cur].ctx, &g_sched);
#endif
}
/* The scheduler runs fiber t until it yields or ends. */
static void to_fiber(unsigned t)
{
#ifdef EMU_FAST_SWITCH
    emu_switch(&g_sched_sp, g_fib[t].sp);
#else
    swapcontext(&g_sched, &g_fib[t].ctx);
#endif
}

static void fiber_entry(void)
{
    (*g_body)();
    g_fib[(size_t)g_cur].state = F_DONE;
    to_scheduler();
    die("a finished fiber was resumed");
}
void __syncthreads(void)
{
    if (!g_in_kernel) die("__syncthreads outside a kernel");
    if (!g_in_fiber)
        die("__syncthreads in a kernel whose first launch had no barrier: tests/emu/cuda_emu.cpp runs "
            "such kernels as plain loops; a kernel with conditional barriers needs fibers every launch");
    g_barrier_seen = true;
    g_fib[(size_t)g_cur].state = F_BAR;
    to_scheduler();
}
void emu::uses_barriers(void)
{
    if (!g_in_kernel || !g_in_fiber)
        die("COB_BLOCK_BARRIERS() outside a kernel run as fibers (it must be the kernel's first statement)");
    g_barrier_seen = true;
}
/* Warp sums (__reduce_add_sync): each lane leaves its value and yields; at the end of the round
 * in which the whole warp has arrived the scheduler sums them, and each lane reads its warp's
 * sum when it resumes (before the scheduler can overwrite it: that needs the whole warp back). */
static std::vector<unsigned> g_warp_in, g_warp_sum;
unsigned int __reduce_add_sync(unsigned int mask, unsigned int v)
{
    if (!g_in_kernel) die("__reduce_add_sync outside a kernel");
    if (!g_in_fiber)
        die("__reduce_add_sync in a kernel whose first launch had no barrier or warp operation (plain loops)");
    if (mask != 0xFFFFFFFFu) die("__reduce_add_sync: only the full mask is emulated");
    if (blockDim.x % 32u) die("__reduce_add_sync in a block that is not a whole number of warps");
    g_barrier_seen = true;
    g_warp_in[threadIdx.x] = v;
    g_fib[(size_t)g_cur].state = F_WARP;
    to_scheduler();
    return g_warp_sum[threadIdx.x / 32u];
}
/* After a round: the warps whose lanes wait in __reduce_add_sync, summed; 1 if there were any.
 * A warp only part of which is there aborts. */
static int sum_warps(unsigned block)
{
    int any = 0;
    for (unsigned w = 0; w < block / 32u; ++w) {
        unsigned n = 0, sum = 0;
        for (unsigned l = 0; l < 32u; ++l) n += g_fib[w * 32u + l].state == F_WARP;
        if (n == 0) continue;
        if (n != 32u) die("__reduce_add_sync reached by only part of a warp");
        for (unsigned l = 0; l < 32u; ++l) sum += g_warp_in[w * 32u + l];
        g_warp_sum[w] = sum;
        any = 1;
    }
    return any;
}
static void run_block_fibers(unsigned block, const std::function<void()> &body)
{
    int hold_bar = 0; /* lanes at a warp sum run on; threads at __syncthreads wait for them */
    if (g_fib.size() < block) g_fib.resize(block);
    g_body = &body;
    for (unsigned t = 0; t < block; ++t) {
        fiber &f = g_fib[t];
        if (f.stack.empty()) f.stack.resize(256 << 10);
        fiber_start(f);
        f.state = F_RUN;
    }
    g_warp_in.assign(block, 0u);
    g_warp_sum.assign(block / 32u + 1u, 0u);
    g_in_fiber = true;
    for (;;) {
        unsigned done = 0, bar = 0;
        for (unsigned t = 0; t < block; ++t) {
            if (g_fib[t].state == F_DONE || (hold_bar && g_fib[t].state == F_BAR)) continue;
            g_cur = (int)t;
            threadIdx.x = t;
            g_fib[t].state = F_RUN;
            to_fiber(t);
        }
        for (unsigned t = 0; t < block; ++t) {
            done += g_fib[t].state == F_DONE;
            bar += g_fib[t].state == F_BAR;
        }
        hold_bar = sum_warps(block);
        if (hold_bar) continue;
        if (bar && done) die("__syncthreads reached by only part of a block");
        if (done == block) break;
    }
    g_in_fiber = false;
}
namespace emu {
void launch(const void *kernel, unsigned grid, unsigned block, size_t shmem, cudaStream_t st,
            std::function<void()> body)
{
    if (block == 0 || block > 1024 || grid == 0) die("bad launch configuration");
    auto run = [=]() {
        bool fibers = !g_no_barrier.count(kernel);
        gridDim = dim3{grid, 1, 1};
        blockDim = dim3{block, 1, 1};
        threadIdx = uint3{0, 0, 0};
        g_dyn.assign(shmem + 16, 0xCD);
        g_in_kernel = true;
        g_barrier_seen = false;
        for (unsigned b = 0; b < grid; ++b) {
            blockIdx = uint3{b, 0, 0};
            if (fibers)
                run_block_fibers(block, body);
            else
                for (unsigned t = 0; t < block; ++t) {
                    threadIdx.x = t;
                    body();
                }
        }
        g_in_kernel = false;
        if (fibers && !g_barrier_seen) g_no_barrier.insert(kernel);
    };
    if (st && st->capturing)
        st->g->nodes.push_back(run);
    else
        run();
}
} // namespace emu
