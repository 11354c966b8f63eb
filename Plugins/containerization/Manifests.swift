/// Kubernetes Deployment and Service YAML for one application.
struct ManifestGenerator {
    struct Resources: Codable, Sendable {
        var cpuRequest: String?
        var memoryRequest: String?
        var cpuLimit: String?
        var memoryLimit: String?
        enum CodingKeys: String, CodingKey {
            case cpuRequest = "cpu_request", memoryRequest = "memory_request", cpuLimit = "cpu_limit", memoryLimit = "memory_limit"
        }
    }

    var appName: String
    var imageRef: String
    var port: Int
    var replicas: Int
    var namespace: String
    var serviceType: String
    var environment: [String: String]
    var resources: Resources

    /// A YAML double-quoted scalar.
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 { out += "\\x" + String(ch.value, radix: 16).leftPad(2) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    var deployment: String {
        var y = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(appName)
          namespace: \(namespace)
          labels:
            app.kubernetes.io/name: \(appName)
            app.kubernetes.io/managed-by: wfhost
        spec:
          replicas: \(replicas)
          selector:
            matchLabels:
              app.kubernetes.io/name: \(appName)
          template:
            metadata:
              labels:
                app.kubernetes.io/name: \(appName)
            spec:
              securityContext:
                runAsNonRoot: true
              containers:
                - name: \(appName)
                  image: \(Self.quote(imageRef))
                  ports:
                    - name: http
                      containerPort: \(port)
                  readinessProbe:
                    tcpSocket:
                      port: http
                    initialDelaySeconds: 5
                    periodSeconds: 10
                  livenessProbe:
                    tcpSocket:
                      port: http
                    initialDelaySeconds: 15
                    periodSeconds: 20

        """
        if !environment.isEmpty {
            y += "          env:\n"
            for (k, v) in environment.sorted(by: { $0.key < $1.key }) {
                y += "            - name: \(Self.quote(k))\n              value: \(Self.quote(v))\n"
            }
        }
        y += "          resources:\n"
        y += "            requests:\n              cpu: \(Self.quote(resources.cpuRequest ?? "100m"))\n              memory: \(Self.quote(resources.memoryRequest ?? "128Mi"))\n"
        y += "            limits:\n              cpu: \(Self.quote(resources.cpuLimit ?? "500m"))\n              memory: \(Self.quote(resources.memoryLimit ?? "512Mi"))\n"
        return y
    }

    var service: String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(appName)
          namespace: \(namespace)
          labels:
            app.kubernetes.io/name: \(appName)
            app.kubernetes.io/managed-by: wfhost
        spec:
          type: \(serviceType)
          selector:
            app.kubernetes.io/name: \(appName)
          ports:
            - name: http
              port: \(port)
              targetPort: http

        """
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
