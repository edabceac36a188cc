//! The app process's memory, handed back to the system after work that
//! frees much at once.

/// Hands the memory SQLite freed back to the system. SQLite allocates with
/// the C library's malloc (mimalloc serves the Rust side only), and glibc
/// keeps what a large read frees (a page cache let go, a backup's pages)
/// in its heaps for reuse: at 100,000 customers that was 20 MB of the
/// idle app's 153 MB (`make bench-window`, `window_pss_idle_after_start`),
/// until `malloc_trim` returned it. Called after the work that frees much
/// at once, off the desk's path: it takes a few milliseconds.
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of glibc's own heaps to
    // the system; it takes no pointer and is safe from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
