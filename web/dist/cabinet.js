console.log("cabinet");
