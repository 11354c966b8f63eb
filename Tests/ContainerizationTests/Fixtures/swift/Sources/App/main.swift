import Vapor

let app = try await Application.make()
app.http.server.configuration.port = 8088
try await app.execute()
