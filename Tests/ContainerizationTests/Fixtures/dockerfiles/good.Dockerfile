FROM node:20-alpine AS build
WORKDIR /src
COPY package.json ./
RUN npm install --omit=dev
COPY . .

FROM node:20-alpine
RUN apk add --no-cache tini
COPY --from=build /src /app
HEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/ || exit 1
USER node
CMD ["node", "/app/server.js"]
