// The GraphiQL page: queries and mutations over HTTP, subscriptions over graphql-transport-ws,
// both authenticated with the Authorization header typed in the «Headers» editor.
// Headers are not persisted: a token typed here does not outlive the tab.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = new URL(root.dataset.endpoint, window.location.href);
  var wsEndpoint = new URL(endpoint.href);
  wsEndpoint.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  var httpFetcher = GraphiQL.createFetcher({ url: endpoint.href });
  var socket = null;
  var socketAuthorization = null;

  function authorization(headers) {
    if (!headers) return "";
    return headers.Authorization || headers.authorization || "";
  }

  function socketFor(headers) {
    var wanted = authorization(headers);
    if (socket === null || wanted !== socketAuthorization) {
      if (socket !== null) socket.dispose();
      socketAuthorization = wanted;
      socket = graphqlWs.createClient({
        url: wsEndpoint.href,
        connectionParams: wanted ? { Authorization: wanted } : {},
        lazy: true,
      });
    }
    return socket;
  }

  // The operations a document defines: [{type, name}], read roughly (comments and strings aside,
  // good enough for a page where people type one or a few operations).
  function operationsOf(query) {
    var text = (query || "").replace(/#[^\n]*/g, "").replace(/"(?:[^"\\]|\\.)*"/g, '""');
    var found = [];
    var pattern = /(^|[}\s])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    var match;
    while ((match = pattern.exec(text)) !== null) found.push({ type: match[2], name: match[3] });
    if (found.length === 0 && /^\s*\{/.test(text)) found.push({ type: "query", name: undefined });
    return found;
  }

  // GraphiQL updates the operation name a moment after an edit: a document run right after
  // being replaced may come with the previous one. With a single operation, its own name wins.
  function withOwnOperationName(params) {
    var operations = operationsOf(params.query);
    var named = operations.filter(function (o) { return o.name === params.operationName; });
    if (named.length === 0 && operations.length === 1) {
      return Object.assign({}, params, { operationName: operations[0].name });
    }
    return params;
  }

  function isSubscription(params) {
    return operationsOf(params.query).some(function (o) {
      return o.type === "subscription" && (!params.operationName || o.name === params.operationName);
    });
  }

  function fetcher(graphQLParams, options) {
    var params = withOwnOperationName(graphQLParams);
    if (!isSubscription(params)) return httpFetcher(params, options);
    var client = socketFor(options && options.headers);
    return {
      subscribe: function (observer) {
        var sink = {
          next: function (value) { observer.next(value); },
          error: function (error) { observer.error(error); },
          complete: function () { observer.complete(); },
        };
        var dispose = client.subscribe(params, sink);
        return { unsubscribe: dispose };
      },
    };
  }

  // GraphiQL keeps tabs and history in localStorage, each with its headers (tokens) even when
  // shouldPersistHeaders is false: what it stores here goes through a filter that drops them.
  function withoutHeaders(value) {
    try {
      return JSON.stringify(JSON.parse(value), function (key, v) {
        return key === "headers" ? undefined : v;
      });
    } catch (e) {
      return value;
    }
  }
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(key); },
    setItem: function (key, value) { window.localStorage.setItem(key, withoutHeaders(value)); },
    removeItem: function (key) { window.localStorage.removeItem(key); },
    clear: function () { window.localStorage.clear(); },
    get length() { return window.localStorage.length; },
  };

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      defaultQuery: root.dataset.defaultQuery,
      defaultHeaders: root.dataset.defaultHeaders,
      headerEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
