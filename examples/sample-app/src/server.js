// The demo application for `make demo`: wfhost analyses it, writes a Dockerfile and manifests for it.
const express = require("express");

const app = express();
const port = Number(process.env.PORT || 8080);

app.get("/", (_req, res) => res.json({ message: "hello from sample-app" }));
app.get("/healthz", (_req, res) => res.send("ok"));

app.listen(port, () => console.log(`sample-app listening on port ${port}`));
