import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens a blocking TCP socket to `host:port`, giving up after `timeout` seconds per address.
/// The connect itself runs non-blocking with `poll` so that the timeout is honoured.
func connectTCP(host: String, port: Int, timeout: TimeInterval, endpoint: String) throws -> Int32 {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
        throw SFTPError.connectFailed(endpoint: endpoint, reason: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(list) }
    var lastReason = "no address"
    var address: UnsafeMutablePointer<addrinfo>? = first
    while let info = address {
        address = info.pointee.ai_next
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        if fd < 0 { lastReason = String(cString: strerror(errno)); continue }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var result = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        if result != 0 && errno == EINPROGRESS {
            var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&waiting, 1, Int32(max(1, timeout * 1000)))
            if ready == 0 {
                lastReason = "timed out after \(timeout) s"
            } else {
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
                if ready > 0 && socketError == 0 { result = 0 } else { lastReason = String(cString: strerror(socketError)) }
            }
        } else if result != 0 {
            lastReason = String(cString: strerror(errno))
        }
        if result == 0 {
            _ = fcntl(fd, F_SETFL, flags)
            return fd
        }
        close(fd)
    }
    throw SFTPError.connectFailed(endpoint: endpoint, reason: lastReason)
}
