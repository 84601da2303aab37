/* host/cpu/cpu_barrier.h -- the CPU step loop's barrier: spin briefly, then sleep (a futex on
 * Linux, sched_yield elsewhere). OpenMP's own barrier spins for a long time by default
 * (libgomp: about 3e5 spins) and reads OMP_WAIT_POLICY only when the library loads, so on cores
 * shared with another busy process a waiting thread burned the time slice its sibling needed
 * (a 0.3 s run took 61 s on two threads beside one busy process). Here each thread adapts its own
 * spin budget: a wait that ended while spinning doubles it (up to COB_BARRIER_SPIN_MAX polls), a
 * wait that had to sleep halves it (down to COB_BARRIER_SPIN_MIN), so on idle cores the threads
 * spin as OpenMP's active policy does and on shared cores they soon sleep as its passive one
 * does. Sense by generation count: the last thread in resets the arrival count, then bumps the
 * generation (release) and wakes sleepers; the others wait for the generation to change. */
#ifndef COBALT_HOST_CPU_BARRIER_H
#define COBALT_HOST_CPU_BARRIER_H

#include <stdatomic.h>
#include <stdint.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
long syscall(long number, ...); /* glibc's prototype; unistd.h hides it under strict C11 */
#endif
#include <sched.h>

#define COB_BARRIER_SPIN_MIN 64
#define COB_BARRIER_SPIN_MAX (1 << 16)

typedef struct {
    _Atomic uint32_t arrived;
    char pad0[60];
    _Atomic uint32_t gen;
    _Atomic uint32_t sleepers;
    uint32_t n; /* threads that meet here */
    char pad1[52];
} cob_barrier;

/* A thread's spin budget (polls of the generation before sleeping), padded to a cache line. */
typedef struct {
    uint32_t spin;
    uint32_t waits, sleeps; /* waits that returned, and those that had to sleep */
    char pad[52];
} cob_barrier_spin;

static inline void cob_barrier_init(cob_barrier *b, uint32_t n)
{
    atomic_store(&b->arrived, 0);
    atomic_store(&b->gen, 0);
    atomic_store(&b->sleepers, 0);
    b->n = n;
}

static inline void cob__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline void cob__futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
#ifdef __linux__
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
#else
    (void)addr;
    (void)val;
    sched_yield();
#endif
}

static inline void cob__futex_wake_all(_Atomic uint32_t *addr)
{
#ifdef __linux__
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
#else
    (void)addr;
#endif
}

/* Wait until all b->n threads have arrived. Everything a thread wrote before its call is visible
 * to every thread after theirs (acquire/release on the generation). */
static inline void cob_barrier_wait(cob_barrier *b, cob_barrier_spin *sp)
{
    const uint32_t g = atomic_load_explicit(&b->gen, memory_order_acquire);
    uint32_t k;
    sp->waits += 1;
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->n) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&b->gen, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&b->sleepers, memory_order_seq_cst))
            cob__futex_wake_all(&b->gen);
        return;
    }
    for (k = 0; k < sp->spin; ++k) {
        if (atomic_load_explicit(&b->gen, memory_order_acquire) != g) {
            if (sp->spin < COB_BARRIER_SPIN_MAX)
                sp->spin *= 2;
            return;
        }
        cob__cpu_relax();
    }
    if (sp->spin > COB_BARRIER_SPIN_MIN)
        sp->spin /= 2;
    sp->sleeps += 1;
    atomic_fetch_add_explicit(&b->sleepers, 1, memory_order_seq_cst);
    while (atomic_load_explicit(&b->gen, memory_order_seq_cst) == g) cob__futex_wait(&b->gen, g);
    atomic_fetch_sub_explicit(&b->sleepers, 1, memory_order_seq_cst);
}

#endif
