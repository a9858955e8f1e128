import Foundation

/// Which malloc this process runs on: jemalloc when the build linked it (see Package.swift),
/// else the C library's. `rong serve` and `rong bench im` print it beside what they measure.
enum Allocator {
    static var name: String {
        guard let process = dlopen(nil, RTLD_NOW) else { return "glibc malloc" }
        return dlsym(process, "mallctl") != nil ? "jemalloc" : "glibc malloc"
    }
}
