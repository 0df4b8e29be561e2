import ArgumentParser
import Foundation
import Gateway

struct SSHDConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sshd-config",
        abstract: "Write the OpenSSH config fragment and the chroot folders of the partners' SFTP drop boxes.",
        discussion: """
            One Match User block per partner with a dropbox: (ChrootDirectory, ForceCommand internal-sftp, no TTY, \
            no forwarding, AuthorizedKeysFile from the partner's keys). As root it also makes the folders with the \
            owners and modes OpenSSH's chroot requires and links inbox/<partner> and outbox/<partner> into them. \
            Include the fragment at the END of /etc/ssh/sshd_config, then reload sshd. See docs/DROPBOXES.md.
            """)

    @OptionGroup var config: ConfigOptions

    @Option(help: "Where to write the fragment (default: dropboxes.sshdConfig, else stdout).")
    var output: String?

    @Flag(help: "Create the partners' system accounts that do not exist yet (no home, no shell, no password).")
    var createUsers = false

    @Flag(help: "Only print the fragment; make no folders.")
    var print = false

    func run() throws {
        let cfg = try config.load()
        do {
            let layout = try DropboxLayout(config: cfg)
            if !print { for line in try layout.apply(createUsers: createUsers) { printErr(line) } }
            let text = layout.sshdConfig()
            if let path = output ?? (print ? nil : cfg.dropboxes?.sshdConfig) {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                printErr("wrote \(path); include it at the end of sshd_config and reload sshd (sshd -t checks it)")
            } else {
                Swift.print(text, terminator: "")
            }
        } catch let e as DropboxError {
            printErr(e.description)
            throw Exit.configError
        }
    }
}
