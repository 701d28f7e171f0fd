import FloeContract
import FloeJinja
import FloeTemplates
import Foundation

/// A model file read, hashed and parsed ahead of its rendering.
struct PrefetchedModel {
    var source: String
    /// Nil for a node defined in YAML: its file is hashed as a properties file.
    var sha256: String?
    var template: Result<JinjaTemplate, TemplateError>

    /// Reads and parses one file; nil when it cannot be read (the renderer reports that).
    init?(_ file: ProjectFile) {
        if let inline = file.inlineSource {
            source = inline
            sha256 = nil
        } else {
            guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
            source = String(decoding: data, as: UTF8.self)
            sha256 = InputHasher.sha256(data)
        }
        template = Result { [source] () throws(TemplateError) in try JinjaTemplate(source, file: file.display) }
    }
}

/// Reads and parses model files on a second core while the compiler works out what rendering
/// needs (properties, slots, configs) on the first, which would otherwise leave that core idle.
///
/// Parsing needs only the file, so it can start as soon as the files are listed. ``finish()``
/// stops the background work and hands over what it finished; the render workers parse the
/// rest themselves.
final class ModelPrefetch: @unchecked Sendable {
    private let files: [ProjectFile]
    private let lock = NSLock()
    /// Put only by the background work, before it bumps `done` under the lock.
    private let parsed: TakeOnceSlots<PrefetchedModel>
    private var done = 0
    private var stopped = false
    private var finished = false
    private let group = DispatchGroup()

    init(_ files: [ProjectFile]) {
        self.files = files
        parsed = TakeOnceSlots(count: files.count)
    }

    func start() {
        DispatchQueue.global(qos: .userInitiated).async(group: group) { [self] in
            while true {
                lock.lock()
                let index = done
                let go = !stopped && index < files.count
                lock.unlock()
                guard go else { return }
                if let model = PrefetchedModel(files[index]) { parsed.put(model, at: index) }
                lock.lock()
                done = index + 1
                lock.unlock()
            }
        }
    }

    /// Stops the background work and waits for the file in hand. Returns how many models, from the
    /// first in file order, are parsed and waiting for ``take(_:)``; nothing after the first call.
    func finish() -> Int {
        lock.lock()
        stopped = true
        lock.unlock()
        group.wait()
        guard !finished else { return 0 }
        finished = true
        return done
    }

    /// Hands over the model at `index` (below what ``finish()`` returned), once. Render workers
    /// take each their own, so a parsed template is freed on the worker that rendered it instead
    /// of all of them on one thread at the end.
    func take(_ index: Int) -> PrefetchedModel? {
        parsed.take(index)
    }
}
